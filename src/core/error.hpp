// The error kinds of authctl and their exit codes (design.md, "Exit codes"). Every layer
// throws authctl::Error; main() prints "authctl: MESSAGE: HINT" and exits with the code.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace authctl {

enum class ExitCode : int {
  ok = 0,
  error = 1,         // 5xx, unexpected answer, local I/O, lock timeout, partial failure
  usage = 2,         // bad option or value, confirmation needed without tty
  network = 3,       // DNS, refused, TLS verification, timeout
  auth = 4,          // not logged in, expired/revoked token, wrong password
  rate_limited = 5,  // 429, blocked endpoint
  expired = 6,       // waited too long (device code, QR login)
  interrupted = 130,
};

// Why something failed, as the layer that found it knows it. Lower layers (core, store, net,
// backends) throw a Reason with its facts and no hint: only the command layer knows which
// option or command the user gave, so only it writes the hint (cli/hints.cpp), and a hint
// always names what works where the error fires.
enum class Reason {
  none,  // the message says it all, or the command layer wrote the hint itself
  // sessions and credentials
  session_ended,           // the server no longer takes the token: log in again
  profile_gone,            // the profile was removed meanwhile
  relogin_needed,          // expired or rejected, and no password for an automatic re-login
  min_valid_too_long,      // the token cannot be valid that long
  wrong_password,          // a login refused (user name, password, account not enabled)
  wrong_www_password,      // the same, for WwwLogin
  login_rejected,          // Nexterm refused the login's options (a code in a 200 body)
  totp_format,             // a TOTP code that is not digits
  code_refused,            // an e-mail or phone verification code
  user_taken,              // facts.subject: the name; facts.detail: the server's suggestions
  web_session_logged_out,  // a session cookie whose web session is not logged in
  api_key_rejected,        // an API key the server no longer takes
  api_key_profile,         // a session-only call on a profile that holds an API key
  given_token_invalid,     // a token the user passed (not the profile's) is not valid
  forbidden,               // this account may not do that
  blocked,                 // the server blocked this client
  rate_limited,            // facts.seconds: how long the server asked to wait, if it said
  // servers and answers
  server_error,  // 5xx
  misbehaving,   // an answer authctl cannot use
  too_old_for_passkeys,
  redirected,       // facts.subject: the server's authority; facts.detail: Location
  request_refused,  // another 4xx
  soft_refused,     // a Nexterm answer with an error code in a 200 body
  not_json,         // HTML or text where JSON was due: the wrong server?
  too_large,
  no_quick_login,       // the host has no /QuickLogin (not a Neuron)
  no_device_login,      // facts.subject: authority, detail: origin; no device codes (a Neuron?)
  remote_not_neuron,    // the remote of remote-quick-login has no RemoteQuickLogin
  unknown_server_kind,  // facts.subject: the authority; neither a Neuron nor a Nexterm
  no_event_channel,     // /ClientEvents refused (4xx)
  invalid_host,         // facts.subject: the text given
  cannot_resolve,
  cannot_connect,
  timed_out,
  connection_closed,
  network_failed,
  cacert_unusable,  // facts.subject: the CA file
  tls_untrusted,
  tls_handshake,       // the handshake failed: maybe a plain-http server
  plain_http_server,   // facts.subject: the authority; an https URL reached a plain-http server
  plain_http_refused,  // http:// to a host that is not loopback
  api_path,            // `api` got something that is neither a path nor a URL
  api_path_elsewhere,  // `api` got a URL of another server than the profile's
  // device codes, API keys, passkeys
  device_code_unknown,
  device_code_used,
  no_such_api_key,
  no_such_passkey,
  no_passkeys,
  passkey_rejected,     // registration refused
  passkey_unverified,   // registration not verified
  passkey_signature,    // the server could not verify the signature
  passkey_rp_mismatch,  // the key file was registered with another URL
  passkey_unknown,      // the server does not know the key file's passkey
  passkey_origin,       // the server refused the origin the key file was made for
  attestation_failed,
  no_such_user,
  message_not_sent,
  // key files
  key_damaged,
  key_unsupported,
  key_iterations,
  passphrase_missing,
  passphrase_wrong,
  // local files and the store
  store_corrupt,
  store_version,       // written by a newer authctl
  lock_timeout,        // facts.subject: the lock file
  file_foreign_owner,  // facts.subject: the path
  file_symlink,
  store_file_special,  // a store file that is a FIFO, device, folder...
  user_file_special,   // a file the user named that is not a regular file
  not_a_folder,
  file_io,
  home_unset,
  file_exposed,     // facts.subject: the path; facts.detail: the mode to set ("600")
  file_unexpected,  // larger than expected, or not a regular file
  passkey_file_invalid,
  passkey_file_missing,
  passkey_file_option,  // the --passkey-file given does not exist
  // the keyring of --secure-storage keyring
  keyring_unreachable,  // no D-Bus session, no Secret Service, no answer in time
  keyring_locked,       // the collection is locked and prompting is off
  keyring_unusable,     // no plugin, or another Secret Service error
  file_exists,          // keep last: tests/unit/hints_test.cpp walks every Reason up to it
};

// What the hint may need: the server, file or value concerned, and a number.
struct ErrorFacts {
  std::string subject;  // a server authority, a path, a code
  std::string detail;   // a redirect target, a file mode
  std::optional<int64_t> seconds;
};

class Error : public std::runtime_error {
 public:
  // `what` says what went wrong; `hint` says what to do next (may be empty). Only the
  // command layer writes hints; lower layers give a Reason instead.
  Error(ExitCode code, std::string what, std::string hint = {})
      : std::runtime_error(std::move(what)), code_(code), hint_(std::move(hint)) {}
  Error(ExitCode code, std::string what, Reason reason, ErrorFacts facts = {})
      : std::runtime_error(std::move(what)),
        code_(code),
        reason_(reason),
        facts_(std::move(facts)) {}
  ExitCode code() const { return code_; }
  const std::string& hint() const { return hint_; }
  Reason reason() const { return reason_; }
  const ErrorFacts& facts() const { return facts_; }

 private:
  ExitCode code_;
  std::string hint_;
  Reason reason_ = Reason::none;
  ErrorFacts facts_;
};

}  // namespace authctl
