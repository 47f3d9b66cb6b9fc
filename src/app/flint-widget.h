#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* For the dispose () of a GtkWidget subclass built from a template: clears
 * the template and unparents every child left. gtk_widget_dispose_template ()
 * in GTK 4.8 only drops children bound by id; a child left behind keeps a
 * parent pointer to the finalized widget, and GTK later walks it (a crash
 * when a closed tab held the focus). */
void flint_widget_dispose_template (GtkWidget *widget, GType widget_type);

/* gtk_widget_set_tooltip_text () when @text differs from the tooltip set:
 * GTK 4.8 asks the X server where the pointer is on every call, even with
 * the same text, and rows being bound call it often. */
void flint_widget_update_tooltip (GtkWidget *widget, const char *text);

/* A tooltip given when GTK asks for it (query-tooltip) rather than set as a
 * fixed text: for widgets in list rows, bound and rebound often. NULL: none. */
void flint_widget_set_lazy_tooltip (GtkWidget *widget, const char *text);

/* The time of day of @local as the desktop shows its clock: 12-hour when
 * GNOME's clock-format setting says so, otherwise the locale's 24-hour
 * format (translatable). */
char *flint_format_clock (GDateTime *local);

G_END_DECLS
