#pragma once

#include <adwaita.h>

#include "flint-session.h"

G_BEGIN_DECLS

#define FLINT_TYPE_XML_CONSOLE (flint_xml_console_get_type ())
G_DECLARE_FINAL_TYPE (FlintXmlConsole, flint_xml_console, FLINT, XML_CONSOLE, AdwWindow)

/* session may be NULL (no account yet): the console then only says so. */
FlintXmlConsole *flint_xml_console_new (GtkApplication *app, FlintSession *session);

/* For the UI tests: what a person sees. */
char *flint_xml_console_get_text (FlintXmlConsole *self);
const char *flint_xml_console_get_error (FlintXmlConsole *self);
guint flint_xml_console_get_n_shown (FlintXmlConsole *self);
void flint_xml_console_set_input (FlintXmlConsole *self, const char *xml);
void flint_xml_console_set_filter (FlintXmlConsole *self,
                                   const char *text,
                                   int direction,
                                   int kind);

G_END_DECLS
