/* Fuzzes everything Flint does with stanzas from the network: the input is a
 * run of XML elements fed, one by one, to an online session in loopback mode
 * with the roster, chat, disco and archive modules on it, as if the server
 * had sent them.
 *
 * An <iq type="result"/"error"> whose id is "?" answers the oldest request
 * Flint has sent (its id and sender are filled in), so the parsers of roster,
 * disco, archive and other replies are reached too.
 *
 * Built with FUZZ_TRANSFERS (the fuzz-transfers target) only the transfer
 * module is on the session: XEP-0096 offers (accepted), IBB open/data/close,
 * bytestream hosts, and HTTP upload slots. A <flint-upload/> element in the
 * input starts an upload of a small file, so that a "?" reply after it is
 * parsed as the slot.
 *
 * Built with -Dfuzzing=true (clang) this is a libFuzzer target; otherwise
 * fuzz-replay.c replays the files or directories given (the seed corpus and
 * the crashes kept as regression inputs), as a test. */

#define _GNU_SOURCE /* nftw */
#include "config.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <strophe.h>

#include "flint-account.h"
#include "flint-avatars.h"
#include "flint-bookmarks.h"
#include "flint-chat.h"
#include "flint-disco.h"
#include "flint-history.h"
#include "flint-mam.h"
#include "flint-rooms.h"
#include "flint-roster.h"
#include "flint-session-private.h"
#include "flint-transfers.h"

#define OWN_JID "me@example.com"
#define MAX_PENDING 32
#define FUZZ_MAX_INPUT (256 * 1024)

typedef struct
{
  char *id;
  char *to;
} Request;

static FlintSession *session;
static FlintTransfers *transfers;
static char *upload_path;
static GQueue requests = G_QUEUE_INIT; /* Request *, oldest first */
static char *scratch_dir;
static gboolean ping_answered;

static void
request_free (Request *request)
{
  g_free (request->id);
  g_free (request->to);
  g_free (request);
}

/* What Flint sends: requests are remembered so "?" replies can answer them. */
static void
on_sent (FlintSession *self, xmpp_stanza_t *stanza, gpointer user_data)
{
  const char *type = xmpp_stanza_get_type (stanza);
  Request *request;

  if (g_strcmp0 (xmpp_stanza_get_id (stanza), "last-ping") == 0 &&
      g_strcmp0 (type, "result") == 0)
    ping_answered = TRUE;
  if (g_strcmp0 (xmpp_stanza_get_name (stanza), "iq") != 0 ||
      (g_strcmp0 (type, "get") != 0 && g_strcmp0 (type, "set") != 0) ||
      xmpp_stanza_get_id (stanza) == NULL)
    return;
  request = g_new0 (Request, 1);
  request->id = g_strdup (xmpp_stanza_get_id (stanza));
  request->to = g_strdup (xmpp_stanza_get_to (stanza));
  g_queue_push_tail (&requests, request);
  while (requests.length > MAX_PENDING)
    request_free (g_queue_pop_head (&requests));
}

static void
on_transfers_changed (
  GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FlintTransfer) transfer = g_list_model_get_item (model, i);

      if (flint_transfer_get_direction (transfer) == FLINT_TRANSFER_INCOMING &&
          flint_transfer_get_state (transfer) == FLINT_TRANSFER_OFFERED)
        flint_transfers_accept (FLINT_TRANSFERS (model), transfer, NULL);
    }
}

static void
set_up (void)
{
  g_autoptr (FlintAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  FlintHistory *history;
  g_autofree char *downloads = NULL;

  scratch_dir = g_dir_make_tmp ("flint-fuzz-XXXXXX", NULL);
  g_assert_nonnull (scratch_dir);
  g_setenv ("XDG_CACHE_HOME", scratch_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", scratch_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", scratch_dir, TRUE);
  xmpp_initialize ();

  account = flint_account_new (OWN_JID, &error);
  g_assert_no_error (error);
  session = flint_session_new (account);
  path = g_build_filename (scratch_dir, "history.db", NULL);
  history = flint_history_open (path, &error);
  g_assert_no_error (error);

  /* The modules live as long as the process, as in the app. */
#ifndef FUZZ_TRANSFERS
  {
    FlintRoster *roster = flint_roster_new (session);
    FlintDisco *disco;
    FlintRooms *rooms;

    flint_avatars_new (session, roster);
    flint_chat_new (session, history);
    disco = flint_disco_new (session);
    flint_mam_new (session, history);
    rooms = flint_rooms_new (session, history);
    flint_bookmarks_new (session, disco, rooms);
  }
#else
  (void) history;
#endif
  transfers = flint_transfers_new (session);
  upload_path = g_build_filename (scratch_dir, "upload.txt", NULL);
  g_assert_true (g_file_set_contents (upload_path, "hello", -1, NULL));
  downloads = g_build_filename (scratch_dir, "downloads", NULL);
  g_mkdir (downloads, 0700);
  flint_transfers_set_download_folder (transfers, downloads);
  /* Offers are accepted, so that bytestream and IBB parsing is reached. */
  g_signal_connect (transfers, "items-changed", G_CALLBACK (on_transfers_changed), NULL);
  flint_session_start_loopback (session, OWN_JID "/fuzz", on_sent, NULL);
}

static void
feed (xmpp_stanza_t *stanza)
{
  const char *type = xmpp_stanza_get_type (stanza);

  if (g_strcmp0 (xmpp_stanza_get_name (stanza), "flint-upload") == 0)
    {
      g_autoptr (GFile) file = g_file_new_for_path (upload_path);

      /* The transfer list holds the transfer. */
      flint_transfers_upload_file (transfers, "peer@example.com", file);
      return;
    }

  if (g_strcmp0 (xmpp_stanza_get_name (stanza), "iq") == 0 &&
      (g_strcmp0 (type, "result") == 0 || g_strcmp0 (type, "error") == 0) &&
      g_strcmp0 (xmpp_stanza_get_id (stanza), "?") == 0)
    {
      Request *request = g_queue_pop_head (&requests);

      if (request == NULL)
        return;
      xmpp_stanza_set_id (stanza, request->id);
      if (request->to)
        xmpp_stanza_set_from (stanza, request->to);
      else
        xmpp_stanza_del_attribute (stanza, "from");
      request_free (request);
    }
  flint_session_receive (session, stanza);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GString) text = NULL;
  xmpp_stanza_t *batch;

  if (session == NULL)
    set_up ();
  if (size > FUZZ_MAX_INPUT || memchr (data, 0, size) != NULL)
    return 0;

  text = g_string_new ("<batch xmlns='jabber:client'>");
  g_string_append_len (text, (const char *) data, (gssize) size);
  g_string_append (text, "</batch>");
  batch = xmpp_stanza_new_from_string (flint_session_get_context (session), text->str);
  if (batch == NULL)
    return 0;
  for (xmpp_stanza_t *child = xmpp_stanza_get_children (batch); child;
       child = xmpp_stanza_get_next (child))
    if (xmpp_stanza_is_tag (child))
      feed (child);
  xmpp_stanza_release (batch);

  /* Let batched work (history flushes, idle callbacks) run, as the app's
   * main loop would. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}

#ifndef FLINT_LIBFUZZER
static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

/* After the replay (fuzz-replay.c): still alive and still answering. */
gboolean
fuzz_replay_finish (char **what)
{
  static const char ping[] = "<iq type='get' id='last-ping' from='example.com'><ping "
                             "xmlns='urn:xmpp:ping'/></iq>";
  gboolean ok;

  LLVMFuzzerTestOneInput ((const uint8_t *) ping, strlen (ping));
  ok = ping_answered && flint_session_get_state (session) == FLINT_SESSION_ONLINE;
  *what = g_strdup ("still online and answering a ping");
  nftw (scratch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return ok;
}
#endif
