#include "config.h"

#define G_LOG_DOMAIN "flint-room-browser"

#include <glib/gi18n.h>

#include "flint-join-dialog.h"
#include "flint-json.h"
#include "flint-room-browser.h"
#include "flint-widget.h"
#include "flint-room-config-window.h"
#include "flint-room-directory.h"

struct _FlintRoomBrowser
{
  AdwWindow parent_instance;

  FlintSession *session;
  FlintRooms *rooms;
  FlintBookmarks *bookmarks;
  char *nick;
  FlintRoomDirectory *directory;
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSliceListModel *slice; /* what the list view shows: the first rows */
  char *needle;             /* case-folded filter text */
  GPtrArray *rows;          /* Row: the list's row widgets (stars, what is on screen) */
  guint visible_check;
  gint64 refresh_started;
  double list_ms; /* how long the last listing took, for tests */

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  GtkSearchEntry *search_entry;
  GtkStack *stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  AdwStatusPage *empty_page;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (FlintRoomBrowser, flint_room_browser, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- rows --------------------------------------------------------------- */

/* The widgets of one row, kept on its box; "listing" is what it shows.
 * Few widgets on purpose: GTK 4.8's list view builds about 200 rows
 * whatever fits on screen, and each widget costs at every rebuild (a
 * filter change). Name, address, people and description are one label;
 * the row itself joins (click or Enter); only the star is a button. */
typedef struct
{
  FlintRoomBrowser *browser;
  FlintRoomListing *listing;
  GtkWidget *box;
  GtkWidget *text;
  GtkWidget *lock;
  GtkWidget *bookmark;
} Row;

static void
row_free (Row *row)
{
  if (row->browser->rows)
    g_ptr_array_remove_fast (row->browser->rows, row);
  if (row->listing)
    g_signal_handlers_disconnect_by_data (row->listing, row);
  g_clear_object (&row->listing);
  g_free (row);
}

static void
update_bookmark_button (Row *row)
{
  gboolean marked = row->browser->bookmarks && row->listing &&
                    flint_bookmarks_find (row->browser->bookmarks,
                                          flint_room_listing_get_jid (row->listing));
  const char *label = marked ? _ ("Remove Bookmark") : _ ("Bookmark");

  gtk_button_set_icon_name (GTK_BUTTON (row->bookmark),
                            marked ? "starred-symbolic" : "non-starred-symbolic");
  flint_widget_update_tooltip (row->bookmark, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->bookmark),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_visible (row->bookmark, row->browser->bookmarks != NULL);
}

static void
update_row (Row *row)
{
  FlintRoomListing *l = row->listing;
  const char *description = flint_room_listing_get_description (l);
  int occupants = flint_room_listing_get_occupants (l);
  g_autofree char *people = NULL;
  g_autofree char *markup = NULL;

  if (occupants >= 0)
    people = g_strdup_printf (
      /* TRANSLATORS: how many people are in a room, after its address */
      g_dngettext (GETTEXT_PACKAGE, " · %d person", " · %d people", occupants),
      occupants);
  markup =
    g_markup_printf_escaped ("<b>%s</b>\n<span size=\"small\" alpha=\"60%%\">%s%s</span>",
                             flint_room_listing_get_name (l),
                             flint_room_listing_get_jid (l), people ? people : "");
  if (description)
    {
      /* One line: the row has room for one. */
      g_autofree char *flat = g_strdelimit (g_strdup (description), "\r\n\t", ' ');
      g_autofree char *line =
        g_markup_printf_escaped ("\n<span alpha=\"70%%\">%s</span>", flat);
      char *both = g_strconcat (markup, line, NULL);

      g_free (markup);
      markup = both;
    }
  gtk_label_set_markup (GTK_LABEL (row->text), markup);
  gtk_widget_set_visible (row->lock, flint_room_listing_get_password_protected (l) ||
                                       flint_room_listing_get_members_only (l));
  flint_widget_update_tooltip (row->lock, flint_room_listing_get_members_only (l)
                                            ? _ ("Members only")
                                            : _ ("Needs a password"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->bookmark), "s",
                                    flint_room_listing_get_jid (l));
  update_bookmark_button (row);
}

static void
on_listing_notify (FlintRoomListing *listing, GParamSpec *pspec, Row *row)
{
  update_row (row);
}

/* Asked for when shown: a fixed tooltip text that differs from row to row
 * costs an X round trip on every bind while scrolling. */
static gboolean
on_text_query_tooltip (
  GtkWidget *text, int x, int y, gboolean keyboard, GtkTooltip *tooltip, Row *row)
{
  g_autofree char *tip = NULL;

  if (row->listing == NULL)
    return FALSE;
  /* TRANSLATORS: tooltip of a row in the room browser, %s is the room's name */
  tip = g_strdup_printf (_ ("Join %s"), flint_room_listing_get_name (row->listing));
  gtk_tooltip_set_text (tooltip, tip);
  return TRUE;
}

static void
setup_row (GtkListItemFactory *factory, GtkListItem *item, FlintRoomBrowser *self)
{
  Row *row = g_new0 (Row, 1);

  row->browser = self;
  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  row->text = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->text), 0);
  /* No wrapping (height-for-width is the costly kind of measuring): each
   * line is cut with an ellipsis instead. */
  gtk_label_set_ellipsize (GTK_LABEL (row->text), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (row->text, TRUE);
  gtk_widget_set_has_tooltip (row->text, TRUE);
  g_signal_connect (row->text, "query-tooltip", G_CALLBACK (on_text_query_tooltip), row);
  gtk_box_append (GTK_BOX (row->box), row->text);

  row->lock = gtk_image_new_from_icon_name ("channel-secure-symbolic");
  gtk_widget_add_css_class (row->lock, "dim-label");
  gtk_box_append (GTK_BOX (row->box), row->lock);

  row->bookmark = gtk_button_new_from_icon_name ("non-starred-symbolic");
  gtk_widget_add_css_class (row->bookmark, "flat");
  gtk_widget_set_valign (row->bookmark, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->bookmark), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->bookmark), "browser.bookmark");
  gtk_box_append (GTK_BOX (row->box), row->bookmark);

  g_object_set_data_full (G_OBJECT (row->box), "row", row, (GDestroyNotify) row_free);
  g_ptr_array_add (self->rows, row);
  gtk_list_item_set_child (item, row->box);
}

/* GtkListView binds many more rows than fit on screen (up to 200 in GTK
 * 4.8): details are asked only for rows inside the viewport, once the
 * list has settled after binding or scrolling. */
static gboolean
check_visible (gpointer user_data)
{
  FlintRoomBrowser *self = user_data;
  GtkWidget *viewport = gtk_widget_get_parent (GTK_WIDGET (self->list_view));
  int height = gtk_widget_get_height (viewport);

  self->visible_check = 0;
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      GtkWidget *box = row->box;
      graphene_rect_t bounds;

      if (row->listing == NULL || !gtk_widget_get_mapped (box) ||
          !gtk_widget_compute_bounds (box, viewport, &bounds))
        continue;
      if (bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height)
        flint_room_directory_request_info (self->directory, row->listing);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_visible_check (FlintRoomBrowser *self)
{
  if (self->visible_check == 0)
    self->visible_check = g_timeout_add (80, check_visible, self);
}

/* GTK 4.8's list view builds up to 200 rows whatever is on screen, and
 * builds them again when the filter changes: it is shown a slice of the
 * filtered rooms that grows a page at a time as the user scrolls near its
 * end, so it never has more rows than were scrolled to. */
#define SLICE_PAGE 40

static void
on_scrolled (GtkAdjustment *adjustment, FlintRoomBrowser *self)
{
  double end =
    gtk_adjustment_get_value (adjustment) + 2 * gtk_adjustment_get_page_size (adjustment);
  guint size = gtk_slice_list_model_get_size (self->slice);

  if (end >= gtk_adjustment_get_upper (adjustment) &&
      size < g_list_model_get_n_items (G_LIST_MODEL (self->filtered)))
    gtk_slice_list_model_set_size (self->slice, size + SLICE_PAGE);
  schedule_visible_check (self);
}

static void
bind_row (GtkListItemFactory *factory, GtkListItem *item, FlintRoomBrowser *self)
{
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");
  FlintRoomListing *listing = gtk_list_item_get_item (item);

  row->listing = g_object_ref (listing);
  g_signal_connect (listing, "notify", G_CALLBACK (on_listing_notify), row);
  update_row (row);
  schedule_visible_check (self);
}

static void
unbind_row (GtkListItemFactory *factory, GtkListItem *item, FlintRoomBrowser *self)
{
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");

  if (row->listing)
    g_signal_handlers_disconnect_by_data (row->listing, row);
  g_clear_object (&row->listing);
}

/* ---- state -------------------------------------------------------------- */

static void schedule_visible_check (FlintRoomBrowser *self);

static void
update_page (FlintRoomBrowser *self)
{
  FlintRoomDirectoryState state = flint_room_directory_get_state (self->directory);
  guint total =
    g_list_model_get_n_items (flint_room_directory_get_rooms (self->directory));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  const char *const *services = flint_room_directory_get_services (self->directory);
  g_autofree char *subtitle = NULL;
  const char *page;

  if (state == FLINT_ROOM_DIRECTORY_FAILED)
    {
      adw_status_page_set_description (
        self->error_page, flint_room_directory_get_error (self->directory)->message);
      page = "error";
    }
  else if (shown > 0)
    page = "list";
  else if (state == FLINT_ROOM_DIRECTORY_LOADING || state == FLINT_ROOM_DIRECTORY_IDLE)
    page = "loading";
  else
    {
      adw_status_page_set_description (
        self->empty_page, total > 0 ? _ ("No room matches the filter.")
                                    : _ ("The room service lists no public rooms."));
      page = "empty";
    }
  gtk_stack_set_visible_child_name (self->stack, page);
  if (g_str_equal (page, "list"))
    schedule_visible_check (self);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "loading"));

  if (total > 0 && shown < total)
    /* TRANSLATORS: rooms shown by the filter, of all rooms listed */
    subtitle = g_strdup_printf (_ ("%u of %u rooms"), shown, total);
  else if (total > 0)
    subtitle = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u room on %s", "%u rooms on %s", total), total,
      services[0] ? services[0] : "");
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

static void
on_directory_state (FlintRoomDirectory *directory,
                    GParamSpec *pspec,
                    FlintRoomBrowser *self)
{
  if (flint_room_directory_get_state (directory) == FLINT_ROOM_DIRECTORY_READY)
    self->list_ms = (g_get_monotonic_time () - self->refresh_started) / 1000.0;
  update_page (self);
}

static void
on_filtered_changed (
  GListModel *model, guint position, guint removed, guint added, FlintRoomBrowser *self)
{
  update_page (self);
}

static gboolean
filter_room (gpointer item, gpointer user_data)
{
  FlintRoomBrowser *self = user_data;

  return flint_room_listing_matches (item, self->needle);
}

static void
on_search_changed (GtkSearchEntry *entry, FlintRoomBrowser *self)
{
  g_autofree char *text =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  g_free (self->needle);
  self->needle = g_utf8_casefold (text, -1);
  gtk_slice_list_model_set_size (self->slice, SLICE_PAGE);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_page (self);
}

/* ---- actions ------------------------------------------------------------ */

static void
refresh_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (widget);

  self->refresh_started = g_get_monotonic_time ();
  flint_room_directory_refresh (self->directory);
  update_page (self);
}

static void
on_joined (FlintJoinDialog *dialog, FlintRoom *room, FlintRoomBrowser *self)
{
  g_signal_emit (self, signals[SIGNAL_JOINED], 0, room);
}

static FlintRoomListing *
find_listing (FlintRoomBrowser *self, const char *jid)
{
  GListModel *rooms = flint_room_directory_get_rooms (self->directory);

  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr (FlintRoomListing) l = g_list_model_get_item (rooms, i);

      if (g_strcmp0 (flint_room_listing_get_jid (l), jid) == 0)
        return l;
    }
  return NULL;
}

static void
join_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (widget);
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoom *room = flint_rooms_get_room (self->rooms, jid);
  FlintJoinDialog *dialog;

  /* Already in: just show it. */
  if (room && flint_room_get_state (room) == FLINT_ROOM_JOINED)
    {
      g_signal_emit (self, signals[SIGNAL_JOINED], 0, room);
      return;
    }
  /* The dialog asks what is missing (a password) and explains refusals. */
  dialog =
    flint_join_dialog_new (GTK_WINDOW (self), self->rooms, self->bookmarks, self->nick);
  flint_join_dialog_set_room (dialog, jid);
  g_signal_connect_object (dialog, "joined", G_CALLBACK (on_joined), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  {
    FlintRoomListing *l = find_listing (self, jid);

    if (l == NULL || !flint_room_listing_get_password_protected (l))
      gtk_widget_activate_action (GTK_WIDGET (dialog), "join.join", NULL);
  }
}

static void
on_row_activated (GtkListView *view, guint position, FlintRoomBrowser *self)
{
  g_autoptr (FlintRoomListing) l =
    g_list_model_get_item (G_LIST_MODEL (self->slice), position);

  if (l)
    gtk_widget_activate_action (GTK_WIDGET (self), "browser.join", "s",
                                flint_room_listing_get_jid (l));
}

static void
bookmark_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (widget);
  const char *jid = g_variant_get_string (parameter, NULL);
  FlintRoomListing *l = find_listing (self, jid);
  g_autofree char *text = NULL;
  const char *name = l ? flint_room_listing_get_name (l) : jid;

  if (self->bookmarks == NULL)
    return;
  if (flint_bookmarks_find (self->bookmarks, jid))
    {
      flint_bookmarks_remove (self->bookmarks, jid);
      /* TRANSLATORS: %s is a room's name */
      text = g_strdup_printf (_ ("Bookmark of “%s” removed"), name);
    }
  else
    {
      g_autoptr (FlintBookmark) b = flint_bookmark_new (jid);

      flint_bookmark_set_name (b, name);
      flint_bookmark_set_nick (b, self->nick);
      flint_bookmarks_set (self->bookmarks, b);
      /* TRANSLATORS: %s is a room's name */
      text = g_strdup_printf (_ ("“%s” bookmarked"), name);
    }
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

/* The rows' stars follow the bookmarks (changed here or elsewhere). */
static void
on_bookmarks_changed (
  GListModel *model, guint position, guint removed, guint added, FlintRoomBrowser *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);

      if (row->listing)
        update_bookmark_button (row);
    }
}

/* browser.set-filter ("text"), for tests. */
static void
set_filter_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry),
                         g_variant_get_string (parameter, NULL));
  /* Typed text is filtered after a short delay; tests want it now. */
  on_search_changed (self->search_entry, self);
}

/* browser.scroll-to-end: as a user dragging the scroll bar down (tests). */
static void
scroll_to_end_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (widget);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                   gtk_adjustment_get_page_size (adj));
  /* Already at the end (the list not laid out again yet): no
   * value-changed, but the user is there. */
  on_scrolled (adj, self);
}

static void
close_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* ---- object ------------------------------------------------------------- */

static void
flint_room_browser_dispose (GObject *object)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (object);

  if (self->bookmarks)
    g_signal_handlers_disconnect_by_data (flint_bookmarks_get_bookmarks (self->bookmarks),
                                          self);
  if (self->directory)
    g_signal_handlers_disconnect_by_data (self->directory, self);
  if (self->filtered)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  g_clear_handle_id (&self->visible_check, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FLINT_TYPE_ROOM_BROWSER);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_handle_id (&self->visible_check, g_source_remove);
  g_clear_object (&self->slice);
  g_clear_object (&self->filtered);
  g_clear_object (&self->directory);
  g_clear_object (&self->session);
  g_clear_object (&self->rooms);
  g_clear_object (&self->bookmarks);
  G_OBJECT_CLASS (flint_room_browser_parent_class)->dispose (object);
}

static void
flint_room_browser_finalize (GObject *object)
{
  FlintRoomBrowser *self = FLINT_ROOM_BROWSER (object);

  g_free (self->nick);
  g_free (self->needle);
  G_OBJECT_CLASS (flint_room_browser_parent_class)->finalize (object);
}

static void
flint_room_browser_class_init (FlintRoomBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = flint_room_browser_dispose;
  object_class->finalize = flint_room_browser_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/im/flint/Flint/flint-room-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, toasts);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, window_title);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, stack);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, error_page);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FlintRoomBrowser, list_view);
  gtk_widget_class_install_action (widget_class, "browser.refresh", NULL,
                                   refresh_activated);
  gtk_widget_class_install_action (widget_class, "browser.join", "s", join_activated);
  gtk_widget_class_install_action (widget_class, "browser.bookmark", "s",
                                   bookmark_activated);
  gtk_widget_class_install_action (widget_class, "browser.set-filter", "s",
                                   set_filter_activated);
  gtk_widget_class_install_action (widget_class, "browser.close", NULL, close_activated);
  gtk_widget_class_install_action (widget_class, "browser.scroll-to-end", NULL,
                                   scroll_to_end_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "browser.close",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "browser.refresh", NULL);

  signals[SIGNAL_JOINED] =
    g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, FLINT_TYPE_ROOM);
}

static void
flint_room_browser_init (FlintRoomBrowser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->needle = g_strdup ("");
  self->rows = g_ptr_array_new ();
}

FlintRoomBrowser *
flint_room_browser_new (GtkWindow *parent,
                        FlintSession *session,
                        FlintRooms *rooms,
                        FlintBookmarks *bookmarks,
                        const char *default_nick)
{
  FlintRoomBrowser *self =
    g_object_new (FLINT_TYPE_ROOM_BROWSER, "transient-for", parent, NULL);
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *selection;

  self->session = g_object_ref (session);
  self->rooms = g_object_ref (rooms);
  self->bookmarks = bookmarks ? g_object_ref (bookmarks) : NULL;
  self->nick = g_strdup (default_nick);
  self->directory = flint_room_directory_new (session);
  self->filter = gtk_custom_filter_new (filter_room, self, NULL);
  self->filtered = gtk_filter_list_model_new (
    g_object_ref (flint_room_directory_get_rooms (self->directory)),
    GTK_FILTER (self->filter));
  g_signal_connect (self->filtered, "items-changed", G_CALLBACK (on_filtered_changed),
                    self);
  g_signal_connect (self->directory, "notify::state", G_CALLBACK (on_directory_state),
                    self);
  if (bookmarks)
    g_signal_connect (flint_bookmarks_get_bookmarks (bookmarks), "items-changed",
                      G_CALLBACK (on_bookmarks_changed), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed),
                    self);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_row_activated), self);
  g_signal_connect (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)),
                    "value-changed", G_CALLBACK (on_scrolled), self);
  /* Allocation (a first layout, a resize) changes the page size. */
  g_signal_connect (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)),
                    "changed", G_CALLBACK (on_scrolled), self);
  g_signal_connect_swapped (self->list_view, "map", G_CALLBACK (schedule_visible_check),
                            self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  self->slice = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)), 0,
                                          SLICE_PAGE);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->slice)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  gtk_widget_activate_action (GTK_WIDGET (self), "browser.refresh", NULL);
  return self;
}

/* ---- tests -------------------------------------------------------------- */

static void
describe_browser (FlintRoomBrowser *self, GString *out)
{
  GListModel *rooms = flint_room_directory_get_rooms (self->directory);
  guint loaded = 0, n = g_list_model_get_n_items (rooms);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlintRoomListing) l = g_list_model_get_item (rooms, i);
      loaded += flint_room_listing_get_info_state (l) == FLINT_ROOM_INFO_LOADED;
    }
  g_string_append (out, ", \"room_browser\": {\"page\": ");
  flint_json_append_string (out, gtk_stack_get_visible_child_name (self->stack));
  g_string_append (out, ", \"subtitle\": ");
  flint_json_append_string (out, adw_window_title_get_subtitle (self->window_title));
  g_string_append (out, ", \"account\": ");
  flint_json_append_string (
    out, flint_account_get_jid (flint_session_get_account (self->session)));
  g_string_append_printf (
    out,
    ", \"rooms\": %u, \"shown\": %u, \"in_view\": %u, \"info_loaded\": %u"
    ", \"info_requests\": %u"
    ", \"list_ms\": %.1f}",
    n, g_list_model_get_n_items (G_LIST_MODEL (self->filtered)),
    g_list_model_get_n_items (G_LIST_MODEL (self->slice)), loaded,
    flint_room_directory_get_info_requests (self->directory), self->list_ms);
}

void
flint_room_browser_describe_windows_json (GString *out)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (FLINT_IS_ROOM_BROWSER (window))
        describe_browser (FLINT_ROOM_BROWSER (window), out);
      else if (FLINT_IS_JOIN_DIALOG (window))
        {
          g_autofree char *d = flint_join_dialog_describe (FLINT_JOIN_DIALOG (window));
          g_autofree char *errors = flint_data_form_view_describe_errors (
            flint_join_dialog_get_form_view (FLINT_JOIN_DIALOG (window)));

          g_string_append (out, ", \"join_dialog\": {\"state\": ");
          flint_json_append_string (out, d);
          g_string_append (out, ", \"title\": ");
          flint_json_append_string (out, gtk_window_get_title (window));
          g_string_append (out, ", \"form_errors\": ");
          flint_json_append_string (out, errors);
          g_string_append (out, "}");
        }
      else if (FLINT_IS_ROOM_CONFIG_WINDOW (window))
        {
          FlintRoomConfigWindow *config = FLINT_ROOM_CONFIG_WINDOW (window);
          g_autofree char *d = flint_room_config_window_describe (config);
          g_autofree char *errors = flint_data_form_view_describe_errors (
            flint_room_config_window_get_form_view (config));

          g_string_append (out, ", \"room_config\": {\"state\": ");
          flint_json_append_string (out, d);
          g_string_append (out, ", \"form_errors\": ");
          flint_json_append_string (out, errors);
          g_string_append (out, "}");
        }
    }
}
