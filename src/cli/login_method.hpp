// authctl login's decisions that depend on its options alone, before anything is read or
// sent: which way to log in (one LoginMethod, derived once from the flags), the flag
// combinations it refuses, which kind a password login must find, and the TOTP code checks.
// Pure (no I/O, no environment): tests/unit/login_method_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/host.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

// The ways to log in: the store records which one made each profile (store::LoginMethod,
// named by store::login_method_name: password, www, api-key, session-cookie, qr, passkey,
// device).
using store::login_method_name;
using store::LoginMethod;

// The server kind a way to log in exists on (--www, --qr, --session-cookie: Neuron;
// --with-token, --device, --passkey: Nexterm); nullopt for a password, which both take.
std::optional<store::Kind> kind_of_method(LoginMethod method);
// The login option that chooses `method` ("--qr"), "a password" for a password.
const char* method_option(LoginMethod method);

// The options of login that the choice of the method depends on.
struct LoginFlags {
  bool with_token = false;
  bool device = false;
  bool session_cookie = false;  // --session-cookie given
  bool www = false;
  bool qr = false;
  bool passkey = false;
  std::optional<store::Kind> kind;  // --kind
  bool password = false;            // --password-stdin or --password-file
  bool totp = false;                // --totp-code or --totp-secret-file
};

// The one method the flags ask for: password when none is given. Error(usage) for two
// methods at once (CLI11 refuses those pairs while parsing already, and --help lists them;
// this does not rely on it), for a password or TOTP option with --qr or --passkey, for --qr
// with --kind nexterm and for --passkey with --kind neuron.
LoginMethod login_method(const LoginFlags& flags);

// What a password login expects the probe to find, and why (for the message when it does
// not): a Neuron when the quick start's NEURON_* variables were used (its password login is
// signed; Nexterm's sends the password itself), else the kind the store's profiles on that
// URL were made with (the profile named `name` first).
struct ExpectedKind {
  store::Kind kind;
  std::string why;  // "the host comes from NEURON_HOST", "profile P on URL was made with ..."
};
struct NeuronVariables {
  bool password = false;  // the password comes from NEURON_PASSWORD
  bool host = false;      // --host from NEURON_HOST
  bool user = false;      // -u from NEURON_USER
};
std::optional<ExpectedKind> expected_kind(const NeuronVariables& used,
                                          const store::Credentials& credentials,
                                          const std::string& name, const std::string& origin);

// A TOTP code as typed: 6 digits.
bool valid_totp_format(const std::string& code);

// Why a code computed now should wait for the next step (nullptr: send it): fewer than 3 s
// left in this one, or the code starts with 0 (the server turns "012345" into 12345 and
// rejects it).
const char* totp_wait_reason(int64_t seconds_left, const std::string& code);

// What to do when a Nexterm account needs a TOTP code and none was given.
inline constexpr const char* kTotpSourcesHint =
    "use --totp-code CODE, --totp-secret-file FILE or AUTHCTL_TOTP_SECRET";

// The error of a Nexterm password login to `host` refused with soft error `code` (201
// wrong password, 203 TOTP code refused, 202 still a code wanted, 403 password login
// disabled: the hint gives the device-link command for that host; others as the server
// says). `sent_code`: the TOTP code sent, if any; `computed`: whether it was computed from a
// secret (the hint then points at the secret and the clock).
Error nexterm_login_refusal(int code, const std::string& message, const HostSpec& host,
                            const std::optional<std::string>& sent_code, bool computed);

// How many times a password typed at the prompt may be typed again after the server called
// it wrong: once on a Neuron (it blocks a client after a few failures an hour, and repeated
// blocks last), twice on a Nexterm (20 logins per 15 minutes). A password from a file,
// stdin or the environment is never retried; a rate limit or block stops at once.
int password_retypes(store::Kind kind);
// The same for a Nexterm TOTP code typed at the prompt and refused (203): only the code is
// asked for again.
inline constexpr int kTotpRetypes = 2;
// Whether a login's Error says the user name or password is wrong (Neuron's 403 to a login,
// WwwLogin's 401): what a retyped password may fix.
bool wrong_password(const Error& error);

}  // namespace authctl::cli
