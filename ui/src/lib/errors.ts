/**
 * How each error code is presented: a title the operator can scan and a hint on what to try.
 * The message itself always comes from the Rust side and is shown as it is.
 */
import type { ErrorCode } from "./bindings/ErrorCode";

/** Title and next step for one kind of failure. */
export interface ErrorPresentation {
  title: string;
  hint: string;
}

const PRESENTATIONS: Record<ErrorCode, ErrorPresentation> = {
  invalid_input: {
    title: "Check the form",
    hint: "Correct the field described here, then try again.",
  },
  not_found: {
    title: "Not found",
    hint: "It may have been removed meanwhile; the list has been refreshed.",
  },
  unreachable: {
    title: "Cannot reach the API",
    hint: "Check the address, your network or VPN, and that the server is up.",
  },
  tls: {
    title: "TLS / certificate problem",
    hint: "The server's certificate is not trusted, has expired, or does not match the address.",
  },
  unauthorized: {
    title: "Token rejected",
    hint: "The API wants a valid token: paste a service token or a fresh access token.",
  },
  forbidden: {
    title: "Token rejected",
    hint: "The token is invalid, expired, revoked, or does not give access to this API.",
  },
  session_expired: {
    title: "Sign in again",
    hint: "The session ended: signed out, or unused for longer than Hook0 keeps it. Sign in with the password to continue.",
  },
  not_hook0: {
    title: "Not a Hook0 API at this address",
    hint: "Check the base URL: for the hosted service it is https://app.hook0.com/api/v1/.",
  },
  rate_limited: {
    title: "Rate limited by the API",
    hint: "The API asked the console to slow down. Wait a minute, then try again.",
  },
  upstream: {
    title: "The API failed",
    hint: "The server returned an error or an answer the console could not use. Try again later.",
  },
  storage: {
    title: "Local storage problem",
    hint: "The console could not read or write its own files on this computer.",
  },
  locked: {
    title: "Locked",
    hint: "Unlock the console with your passphrase and a code from your authenticator.",
  },
  not_enrolled: {
    title: "Set up the console first",
    hint: "Choose a passphrase and enroll your authenticator app to protect this console.",
  },
  wrong_passphrase: {
    title: "Wrong passphrase",
    hint: "Check the passphrase (and Caps Lock), then try again.",
  },
  wrong_code: {
    title: "Code not accepted",
    hint: "Enter the current 6-digit code from your authenticator app, or an unused recovery code. Check the computer's clock.",
  },
  code_reused: {
    title: "Code already used",
    hint: "Each code works once. Wait for your authenticator to show the next one.",
  },
  throttled: {
    title: "Too many attempts",
    hint: "Unlocking is paused after repeated failures. Wait until the countdown ends.",
  },
  step_up_required: {
    title: "Confirm with a code",
    hint: "This action needs a fresh code from your authenticator.",
  },
  tampered: {
    title: "Integrity check failed",
    hint: "A protected file was changed outside the console. Nothing was repaired automatically; see the message for which file.",
  },
  keyring_unavailable: {
    title: "Keyring not available",
    hint: "The system keyring could not be used. The console works with the passphrase alone.",
  },
  internal: {
    title: "Unexpected error",
    hint: "This is a bug in the console. Restart it; if it happens again, report the message.",
  },
};

/** The title and hint for `code`. */
export function presentError(code: ErrorCode): ErrorPresentation {
  return PRESENTATIONS[code];
}
