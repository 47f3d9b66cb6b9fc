#pragma once

#include <adwaita.h>

#include "flint-account-store.h"
#include "flint-avatars.h"
#include "flint-bookmarks.h"
#include "flint-chat.h"
#include "flint-conversation.h"
#include "flint-history.h"
#include "flint-idle-monitor.h"
#include "flint-roster.h"
#include "flint-rooms.h"
#include "flint-session.h"
#include "flint-transfer-center.h"

G_BEGIN_DECLS

#define FLINT_TYPE_APPLICATION (flint_application_get_type ())
G_DECLARE_FINAL_TYPE (
  FlintApplication, flint_application, FLINT, APPLICATION, AdwApplication)

FlintApplication *flint_application_new (void);

FlintAccountStore *flint_application_get_accounts (FlintApplication *self);
FlintSession *flint_application_get_session (FlintApplication *self, const char *jid);
FlintSession *flint_application_get_main_session (FlintApplication *self);
FlintSession *flint_application_start_account (FlintApplication *self,
                                               FlintAccount *account,
                                               const char *password);
/* New connection settings saved: signs the account in again with them,
 * if it is enabled and not set offline. FALSE when it does not. */
gboolean flint_application_reconnect_account (FlintApplication *self,
                                              FlintAccount *account);
gboolean flint_application_get_secrets_available (FlintApplication *self);
FlintChat *flint_application_get_chat (FlintApplication *self, const char *jid);
FlintHistory *flint_application_get_history (FlintApplication *self);
/* TRUE while an older Flint's history is being migrated at start-up: the
 * history is NULL and no account has started yet. "history-ready" is
 * emitted when it is over (the accounts have started by then). */
gboolean flint_application_get_history_updating (FlintApplication *self);
/* The auto-away watches (NULL when Flint has no session bus). */
FlintIdleMonitor *flint_application_get_idle_monitor (FlintApplication *self);
/* NULL before start-up. */
FlintTransferCenter *flint_application_get_transfer_center (FlintApplication *self);
FlintRooms *flint_application_get_rooms (FlintApplication *self, const char *jid);
FlintBookmarks *flint_application_get_bookmarks (FlintApplication *self, const char *jid);
FlintRoster *flint_application_get_roster (FlintApplication *self,
                                           const char *account_jid);
FlintAvatars *flint_application_get_avatars (FlintApplication *self,
                                             const char *account_jid);

/* One FlintConversation per account and peer, shared by all windows. */
FlintConversation *flint_application_get_conversation (FlintApplication *self,
                                                       const char *account,
                                                       const char *jid);
/* Incoming messages nobody has looked at yet; "unread-changed" (account,
 * jid) says when a count changes. */
guint flint_application_get_unread (FlintApplication *self,
                                    const char *account,
                                    const char *jid);
void flint_application_reset_conversation (FlintApplication *self,
                                           const char *account,
                                           const char *jid);
guint flint_application_get_total_unread (FlintApplication *self);
void flint_application_mark_read (FlintApplication *self,
                                  const char *account,
                                  const char *jid);

G_END_DECLS
