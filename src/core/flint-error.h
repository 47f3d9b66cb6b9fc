#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLINT_ERROR (flint_error_quark ())

/* Every failure the user may see. The GError message is translated text that
 * says what happened and what to do; the code lets callers react. */
typedef enum
{
  FLINT_ERROR_FAILED,
  FLINT_ERROR_INVALID_JID,
  FLINT_ERROR_AUTH_FAILED,
  FLINT_ERROR_HOST_NOT_FOUND,
  FLINT_ERROR_CONNECTION_REFUSED,
  FLINT_ERROR_TIMEOUT,
  FLINT_ERROR_NETWORK,
  FLINT_ERROR_TLS_UNTRUSTED,
  FLINT_ERROR_TLS_REQUIRED,
  FLINT_ERROR_TLS_FAILED,
  FLINT_ERROR_STREAM,
  FLINT_ERROR_CONFLICT,
  FLINT_ERROR_NO_PASSWORD,
  FLINT_ERROR_SECRETS_UNAVAILABLE,
  FLINT_ERROR_NOT_CONNECTED,
  FLINT_ERROR_DATABASE,
  FLINT_ERROR_DATABASE_CORRUPT,
  FLINT_ERROR_DATABASE_TOO_NEW,
  FLINT_ERROR_ACCOUNT_EXISTS,
  FLINT_ERROR_NO_ACCOUNT,
  FLINT_ERROR_NO_DICTIONARY,
} FlintErrorCode;

GQuark flint_error_quark (void);

void flint_set_error (GError **error, FlintErrorCode code);
const char *flint_error_describe (FlintErrorCode code);

G_END_DECLS
