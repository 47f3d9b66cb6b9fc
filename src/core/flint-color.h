#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* XEP-0392 consistent colours: the same nick gets the same colour in every
 * client. Pure functions, no state. */

double flint_color_angle (const char *identifier);
void
flint_color_hsluv_to_rgb (double h, double s, double l, double *r, double *g, double *b);
void flint_color_rgb (
  const char *identifier, double lightness, double *r, double *g, double *b);
char *flint_color_hex (const char *identifier, gboolean dark);

G_END_DECLS
