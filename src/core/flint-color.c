#include "config.h"

#include <math.h>

#include "flint-color.h"

/* §5.1: the first two bytes of SHA-1 of the UTF-8 identifier, as a little
 * endian 16-bit number, scaled to [0, 360). */
double
flint_color_angle (const char *identifier)
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (sha1, (const guchar *) (identifier ? identifier : ""), -1);
  g_checksum_get_digest (sha1, digest, &len);
  return (digest[0] | (digest[1] << 8)) / 65536.0 * 360.0;
}

/* HSLuv (§5.3 names it) on sRGB with a D65 white point: the CIELUV hue
 * with the chroma scaled to the largest one the sRGB gamut allows at that
 * lightness and hue. */
static const double m[3][3] = {
  { 3.240969941904521, -1.537383177570093, -0.498610760293 },
  { -0.96924363628087, 1.87596750150772, 0.041555057407175 },
  { 0.055630079696993, -0.20397695888897, 1.056971514242878 },
};
static const double ref_u = 0.19783000664283;
static const double ref_v = 0.46831999493879;
static const double kappa = 903.2962962;
static const double epsilon = 0.0088564516;

static double
max_chroma (double l, double h_rad)
{
  double sub1 = pow (l + 16, 3) / 1560896;
  double sub2 = sub1 > epsilon ? sub1 : l / kappa;
  double best = G_MAXDOUBLE;

  for (int c = 0; c < 3; c++)
    for (int t = 0; t < 2; t++)
      {
        double m1 = m[c][0], m2 = m[c][1], m3 = m[c][2];
        double top1 = (284517 * m1 - 94839 * m3) * sub2;
        double top2 =
          (838422 * m3 + 769860 * m2 + 731718 * m1) * l * sub2 - 769860 * t * l;
        double bottom = (632260 * m3 - 126452 * m2) * sub2 + 126452 * t;
        double slope = top1 / bottom, intercept = top2 / bottom;
        double length = intercept / (sin (h_rad) - slope * cos (h_rad));

        if (length >= 0 && length < best)
          best = length;
      }
  return best;
}

static double
from_linear (double c)
{
  double v = c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1 / 2.4) - 0.055;
  return CLAMP (v, 0.0, 1.0);
}

void
flint_color_hsluv_to_rgb (double h, double s, double l, double *r, double *g, double *b)
{
  double h_rad = h / 180.0 * G_PI;
  double chroma, u, v, var_u, var_v, x, y, z;

  if (l > 99.9999999)
    {
      *r = *g = *b = 1.0;
      return;
    }
  if (l < 1e-8)
    {
      *r = *g = *b = 0.0;
      return;
    }
  chroma = max_chroma (l, h_rad) / 100 * s;
  u = cos (h_rad) * chroma;
  v = sin (h_rad) * chroma;
  var_u = u / (13 * l) + ref_u;
  var_v = v / (13 * l) + ref_v;
  y = l <= 8 ? l / kappa : pow ((l + 16) / 116, 3);
  x = 0 - (9 * y * var_u) / ((var_u - 4) * var_v - var_u * var_v);
  z = (9 * y - 15 * var_v * y - var_v * x) / (3 * var_v);
  *r = from_linear (m[0][0] * x + m[0][1] * y + m[0][2] * z);
  *g = from_linear (m[1][0] * x + m[1][1] * y + m[1][2] * z);
  *b = from_linear (m[2][0] * x + m[2][1] * y + m[2][2] * z);
}

/* §5.3 with saturation 100; lightness 50 is the spec's, a dark theme
 * wants a lighter one to keep contrast. */
void
flint_color_rgb (
  const char *identifier, double lightness, double *r, double *g, double *b)
{
  flint_color_hsluv_to_rgb (flint_color_angle (identifier), 100, lightness, r, g, b);
}

char *
flint_color_hex (const char *identifier, gboolean dark)
{
  double r, g, b;

  flint_color_rgb (identifier, dark ? 70 : 50, &r, &g, &b);
  return g_strdup_printf ("#%02x%02x%02x", (int) lround (r * 255), (int) lround (g * 255),
                          (int) lround (b * 255));
}
