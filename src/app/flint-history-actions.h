#pragma once

#include <gio/gio.h>

#include "flint-transcript.h"
#include "flint-window.h"

G_BEGIN_DECLS

/* The conversation menu's history actions, for the chat tab of @account
 * and @jid in @window (@peer_name: the name shown for the peer).
 *
 * Export Transcript…: a save dialog with the format and the messages to
 * take (all, or the last day, week, month or year), then the export in a
 * worker; a toast says when it is saved or why it is not.
 * Clear History…: asks first (a destructive choice), then deletes the
 * conversation's stored messages in a worker and has the application
 * start the conversation afresh, so open tabs show it empty. */
void flint_history_actions_export (FlintWindow *window,
                                   const char *account,
                                   const char *jid,
                                   const char *peer_name);
/* The same export without the dialog: to @file, from @from on (0: all). */
void flint_history_actions_export_to (FlintWindow *window,
                                      const char *account,
                                      const char *jid,
                                      const char *peer_name,
                                      FlintTranscriptFormat format,
                                      gint64 from,
                                      GFile *file);
/* Print…: the conversation as its text transcript, through the print
 * dialog; with @pdf (tests), exported to that PDF file without a dialog. */
void flint_history_actions_print (FlintWindow *window,
                                  const char *account,
                                  const char *jid,
                                  const char *peer_name,
                                  GFile *pdf);
void flint_history_actions_clear (FlintWindow *window,
                                  const char *account,
                                  const char *jid,
                                  const char *peer_name);

G_END_DECLS
