#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FLINT_TYPE_BOOKMARK (flint_bookmark_get_type ())
G_DECLARE_FINAL_TYPE (FlintBookmark, flint_bookmark, FLINT, BOOKMARK, GObject)

/* A bookmarked room (XEP-0402 <conference/>, or XEP-0048's). Elements
 * Flint does not understand are kept as XML text in "extensions" (one
 * XEP-0402 <extensions/> element) and written back unchanged. */
FlintBookmark *flint_bookmark_new (const char *jid);
FlintBookmark *flint_bookmark_copy (FlintBookmark *self);

const char *flint_bookmark_get_jid (FlintBookmark *self);
const char *flint_bookmark_get_name (FlintBookmark *self);
void flint_bookmark_set_name (FlintBookmark *self, const char *name);
const char *flint_bookmark_get_nick (FlintBookmark *self);
void flint_bookmark_set_nick (FlintBookmark *self, const char *nick);
const char *flint_bookmark_get_password (FlintBookmark *self);
void flint_bookmark_set_password (FlintBookmark *self, const char *password);
gboolean flint_bookmark_get_autojoin (FlintBookmark *self);
void flint_bookmark_set_autojoin (FlintBookmark *self, gboolean autojoin);
const char *flint_bookmark_get_extensions (FlintBookmark *self);
void flint_bookmark_set_extensions (FlintBookmark *self, const char *xml);
gboolean flint_bookmark_equal (FlintBookmark *a, FlintBookmark *b);

G_END_DECLS
