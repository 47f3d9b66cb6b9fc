#pragma once

#include "flint-bookmark.h"
#include "flint-disco.h"
#include "flint-rooms.h"
#include "flint-session.h"

G_BEGIN_DECLS

typedef enum
{
  FLINT_BOOKMARKS_STORAGE_UNKNOWN,
  FLINT_BOOKMARKS_STORAGE_PEP,     /* XEP-0402 */
  FLINT_BOOKMARKS_STORAGE_PRIVATE, /* XEP-0048 in XEP-0049 private XML */
} FlintBookmarksStorage;

#define FLINT_TYPE_BOOKMARKS (flint_bookmarks_get_type ())
G_DECLARE_FINAL_TYPE (FlintBookmarks, flint_bookmarks, FLINT, BOOKMARKS, GObject)

/* The account's room bookmarks as a GListModel of FlintBookmark. At each
 * new session: XEP-0402 (PEP node urn:xmpp:bookmarks:1, kept in sync by
 * +notify) when the account advertises urn:xmpp:bookmarks:1#compat (the
 * server keeps XEP-0048 clients in step), else XEP-0048 in XEP-0049
 * private storage. Rooms marked autojoin are joined through @rooms once
 * the bookmarks are read (and when another client adds one); FlintRooms
 * joins them again after a reconnect.
 *
 * Properties: "storage" (FlintBookmarksStorage), "loaded".
 * Signals: "save-failed" (GError *): the server refused a change; the
 * list is read again from the server. */
FlintBookmarks *
flint_bookmarks_new (FlintSession *session, FlintDisco *disco, FlintRooms *rooms);

GListModel *flint_bookmarks_get_bookmarks (FlintBookmarks *self);
FlintBookmark *flint_bookmarks_find (FlintBookmarks *self, const char *jid);
void flint_bookmarks_set (FlintBookmarks *self, FlintBookmark *bookmark);
void flint_bookmarks_remove (FlintBookmarks *self, const char *jid);
FlintBookmarksStorage flint_bookmarks_get_storage (FlintBookmarks *self);
gboolean flint_bookmarks_get_loaded (FlintBookmarks *self);

G_END_DECLS
