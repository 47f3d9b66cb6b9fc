#pragma once

#include <gio/gio.h>
#include <strophe.h>

#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_STANZA_KIND_MESSAGE,
  FLINT_STANZA_KIND_PRESENCE,
  FLINT_STANZA_KIND_IQ,
  FLINT_STANZA_KIND_OTHER, /* stream headers, features, SASL, SM acks */
} FlintStanzaKind;

typedef struct
{
  guint64 serial; /* increasing, never reused */
  gint64 time_us; /* wall clock */
  gboolean outgoing;
  FlintStanzaKind kind;
  char *xml;    /* as sent or received, secrets redacted */
  char *pretty; /* indented for reading */
} FlintStanzaLogEntry;

#define FLINT_TYPE_STANZA_LOG (flint_stanza_log_get_type ())
G_DECLARE_FINAL_TYPE (FlintStanzaLog, flint_stanza_log, FLINT, STANZA_LOG, GObject)

/* The XML console's record: the last max_entries stanzas of the sessions it
 * is attached to. It listens to "stanza-log" only while attached, so a
 * closed console costs nothing. Signals: "entry-added" (entry pointer),
 * "entries-dropped" (guint n, oldest first, when the bound is reached). */
FlintStanzaLog *flint_stanza_log_new (guint max_entries);
void flint_stanza_log_attach (FlintStanzaLog *self, FlintSession *session);
void flint_stanza_log_detach (FlintStanzaLog *self);
void flint_stanza_log_add (FlintStanzaLog *self, gboolean outgoing, const char *xml);
void flint_stanza_log_clear (FlintStanzaLog *self);
guint flint_stanza_log_get_n_entries (FlintStanzaLog *self);
const FlintStanzaLogEntry *flint_stanza_log_get_entry (FlintStanzaLog *self, guint index);

/* direction: -1 any, 0 received, 1 sent; kind: -1 any. text matches the
 * XML case-insensitively; NULL or "" matches all. */
gboolean flint_stanza_log_entry_matches (const FlintStanzaLogEntry *entry,
                                         const char *text,
                                         int direction,
                                         int kind);

/* Pure helpers (unit-tested). redact returns NULL when nothing is secret:
 * SASL payloads, jabber:iq:register/auth passwords, text-private form
 * values and MUC join passwords become "[redacted]"; text that cannot be
 * parsed but mentions a password is hidden whole. */
char *flint_stanza_log_redact (const char *xml);
char *flint_stanza_log_pretty (const char *xml);
FlintStanzaKind flint_stanza_log_classify (const char *xml);

/* Checks that text is one well-formed XML element; the error says where not. */
gboolean flint_stanza_log_validate (const char *text, GError **error);

G_END_DECLS
