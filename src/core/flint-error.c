#include "config.h"

#include <glib/gi18n-lib.h>

#include "flint-error.h"

G_DEFINE_QUARK (flint - error - quark, flint_error)

/* One place for the user-facing text of each failure, so the session, the
 * command line and the window all say the same thing. */
const char *
flint_error_describe (FlintErrorCode code)
{
  switch (code)
    {
      case FLINT_ERROR_INVALID_JID:
        return _ ("This is not a valid address. An address looks like name@example.com.");
      case FLINT_ERROR_AUTH_FAILED:
        return _ ("The server did not accept the password. Check the address and the "
                  "password, then try again.");
      case FLINT_ERROR_HOST_NOT_FOUND:
        return _ ("The server could not be found. Check the address, or set the server "
                  "host in the advanced account settings.");
      case FLINT_ERROR_CONNECTION_REFUSED:
        return _ ("The server refused the connection. Check the server host and port, or "
                  "try again later.");
      case FLINT_ERROR_TIMEOUT:
        return _ ("The server did not answer in time. Check your network connection; "
                  "Flint keeps trying.");
      case FLINT_ERROR_NETWORK:
        return _ ("The network connection was lost. Flint reconnects as soon as the "
                  "network is back.");
      case FLINT_ERROR_TLS_UNTRUSTED:
        return _ ("The server’s certificate is not trusted. Compare its fingerprint with "
                  "the one your administrator gave you before trusting it.");
      case FLINT_ERROR_TLS_REQUIRED:
        return _ ("The server does not offer an encrypted connection, so Flint did not "
                  "send your password. Ask your administrator to enable TLS.");
      case FLINT_ERROR_TLS_FAILED:
        return _ ("The secure connection to the server failed. Try again later or ask "
                  "your administrator.");
      case FLINT_ERROR_STREAM:
        return _ (
          "The server closed the connection because of an error. Flint will try again.");
      case FLINT_ERROR_CONFLICT:
        return _ ("This account signed in from another place with the same device name, "
                  "so this session was closed.");
      case FLINT_ERROR_NO_PASSWORD:
        return _ ("No password is stored for this account. Enter it to sign in.");
      case FLINT_ERROR_SECRETS_UNAVAILABLE:
        return _ ("No password keyring is available, so passwords cannot be saved. Flint "
                  "asks for the password at each sign-in.");
      case FLINT_ERROR_NOT_CONNECTED:
        return _ ("Not connected. The message will be sent when Flint is back online.");
      case FLINT_ERROR_DATABASE:
        return _ ("The message history could not be read or written.");
      case FLINT_ERROR_DATABASE_CORRUPT:
        return _ ("The message history is damaged. A backup copy was kept and a new "
                  "history was started.");
      case FLINT_ERROR_DATABASE_TOO_NEW:
        return _ ("The message history was written by a newer version of Flint. A backup "
                  "copy was kept; update Flint to read it.");
      case FLINT_ERROR_ACCOUNT_EXISTS:
        return _ ("This account is already set up.");
      case FLINT_ERROR_NO_ACCOUNT:
        return _ ("No such account is set up.");
      case FLINT_ERROR_NO_DICTIONARY:
        return _ ("No spelling dictionary is installed for this language.");
      case FLINT_ERROR_FILE_WRITE:
        return _ ("The file could not be saved. Check that the downloads folder exists, "
                  "is writable and has free space.");
      case FLINT_ERROR_TRANSFER_CORRUPT:
        return _ ("The file arrived damaged (it does not match what the sender "
                  "announced), so it was not kept. Ask the sender to send it again.");
      case FLINT_ERROR_TRANSFER_PROTOCOL:
        return _ ("The transfer failed because the other side sent invalid data. The "
                  "partial file was removed.");
      case FLINT_ERROR_TRANSFER_CANCELLED:
        return _ ("The transfer was cancelled.");
      case FLINT_ERROR_TRANSFER_DECLINED:
        return _ ("The contact declined the file.");
      case FLINT_ERROR_TRANSFER_UNSUPPORTED:
        return _ ("No way to send this file was found: the contact’s client does not "
                  "accept file transfers and the server offers no upload service.");
      case FLINT_ERROR_TRANSFER_FILE_READ:
        return _ ("The file could not be read. Check that it still exists and that you "
                  "may read it.");
      case FLINT_ERROR_MUC_NICK_IN_USE:
        return _ ("Someone in this room already uses this nickname. Choose another one.");
      case FLINT_ERROR_MUC_PASSWORD:
        return _ ("This room needs a password, or the password was wrong. Enter the "
                  "room’s password and try again.");
      case FLINT_ERROR_MUC_MEMBERS_ONLY:
        return _ ("Only members may enter this room. Ask one of its owners or "
                  "administrators to add you.");
      case FLINT_ERROR_MUC_BANNED:
        return _ ("You are banned from this room.");
      case FLINT_ERROR_MUC_NOT_FOUND:
        return _ ("This room does not exist. Check its address, or create it.");
      case FLINT_ERROR_MUC_CREATION_FORBIDDEN:
        return _ ("This room does not exist and the server does not let you create it.");
      case FLINT_ERROR_MUC_FULL:
        return _ ("This room is full. Try again later.");
      case FLINT_ERROR_MUC_NICK_RESERVED:
        return _ ("This nickname is reserved in this room. Use your registered nickname "
                  "or choose another one.");
      case FLINT_ERROR_MUC_NOT_JOINED:
        return _ ("You are no longer in this room. Flint joins it again.");
      case FLINT_ERROR_MUC_KICKED:
        return _ ("You were removed from this room.");
      case FLINT_ERROR_MUC_DESTROYED:
        return _ ("This room was closed by its owner.");
      case FLINT_ERROR_MUC_REFUSED:
        return _ ("The room refused this. You may not have the right to do it.");
      case FLINT_ERROR_MUC_NOT_ALLOWED:
        return _ ("You may not do this in this room. Only a participant with a higher "
                  "role or affiliation can.");
      case FLINT_ERROR_MUC_NO_OCCUPANT:
        return _ ("This person is no longer in the room, or the address is not known.");
      case FLINT_ERROR_MUC_LAST_OWNER:
        return _ ("The room needs at least one owner. Make someone else an owner first.");
      case FLINT_ERROR_FAILED:
      default:
        return _ ("Something went wrong.");
    }
}

void
flint_set_error (GError **error, FlintErrorCode code)
{
  g_set_error_literal (error, FLINT_ERROR, code, flint_error_describe (code));
}
