#pragma once

#include <gio/gio.h>

#include "flint-message.h"

G_BEGIN_DECLS

#define FLINT_TYPE_SEARCH (flint_search_get_type ())
G_DECLARE_FINAL_TYPE (FlintSearch, flint_search, FLINT, SEARCH, GObject)

/* A history search as the user types: a GListModel of FlintMessage, the
 * newest matches of the latest query first.
 *
 * Queries run on a worker thread with their own FlintHistory on the same
 * file (FlintHistory is not thread-safe; WAL lets it read while the main
 * thread writes). Each change of query or filter cancels the query still
 * running, so only the results of the last one ever reach the model.
 *
 * Properties: "running" (a query is under way), "error" (the last query's
 * failure, translated, or NULL). */
FlintSearch *flint_search_new (const char *path, const char *account);

void flint_search_set_query (FlintSearch *self, const char *text);
const char *flint_search_get_query (FlintSearch *self);
void flint_search_set_conversation (FlintSearch *self, const char *jid);
const char *flint_search_get_conversation (FlintSearch *self);
void flint_search_set_range (FlintSearch *self, gint64 since, gint64 until);
gboolean flint_search_get_running (FlintSearch *self);
void flint_search_load_more (FlintSearch *self);
gboolean flint_search_get_has_more (FlintSearch *self);
const char *flint_search_get_error (FlintSearch *self);
/* The result's text as Pango markup, the matched words in bold. */
const char *flint_search_get_markup (FlintSearch *self, FlintMessage *message);

G_END_DECLS
