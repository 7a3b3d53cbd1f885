// authctl login: log in and store the session as a profile. Neuron: HMAC-signed password
// login, Quick Login with a QR code (--qr), WwwLogin (--www) or a web session cookie.
// Nexterm: password (+ TOTP), an API key (--with-token), or a device code (--device).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"
#include "cli/commands.hpp"
#include "cli/device_link.hpp"
#include "cli/login_method.hpp"
#include "cli/passkey_login.hpp"
#include "cli/passphrase.hpp"
#include "cli/password.hpp"
#include "cli/profiles.hpp"
#include "cli/qr_login.hpp"
#include "cli/validators.hpp"
#include "core/cookie.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/totp.hpp"
#include "core/validate.hpp"
#include "term/interrupt.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct LoginOptions {
  std::string host;
  std::string secure_storage;       // --secure-storage ("": not given)
  std::string kind_name;            // --kind as given (CLI11 checks it)
  std::optional<store::Kind> kind;  // ... as a kind, derived once in run_login
  std::string user;
  PasswordOptions password;
  int64_t seconds = 3600;
  bool allow_http = false;
  bool force = false;
  bool no_store = false;
  bool print_token = false;
  std::string totp_code;
  std::string totp_secret_file;
  bool with_token = false;
  bool device = false;
  bool www = false;
  bool qr = false;
  bool passkey = false;
  std::string passkey_file;     // --passkey-file (else AUTHCTL_PASSKEY_FILE)
  std::string passphrase_file;  // the key file's passphrase
  bool host_from_env = false;   // --host from NEURON_HOST
  bool user_from_env = false;   // -u from NEURON_USER
  std::string purpose;          // --qr: shown in the app
  std::string session_cookie;   // FILE or -
  WaitOptions wait;
};

// The quick start's NEURON_* variables that this login uses: they mean a Neuron.
NeuronVariables neuron_variables_used(const LoginOptions& options) {
  const bool neuron_password = !options.password.from_stdin && options.password.file.empty() &&
                               !(getenv("AUTHCTL_PASSWORD") && *getenv("AUTHCTL_PASSWORD")) &&
                               getenv("NEURON_PASSWORD") && *getenv("NEURON_PASSWORD");
  return {neuron_password, options.host_from_env, options.user_from_env};
}

// Why a password login must be of one kind, before any probe (see expected_kind): the store
// is read only when no NEURON_* variable decides it.
std::optional<ExpectedKind> expected_login_kind(const Context& context, const LoginOptions& options,
                                                const std::string& name,
                                                const std::string& origin) {
  const NeuronVariables used = neuron_variables_used(options);
  store::Credentials credentials;
  if (!used.password && !used.host && !used.user) {
    try {
      credentials = context.open_store().load();
    } catch (const Error&) {
      if (!options.no_store) throw;  // --no-store writes nothing: an unreadable store is no bar
    }
  }
  return expected_kind(used, credentials, name, origin);
}

// The kind to log in with: --kind, else the probe's, which must agree with what the
// NEURON_* variables or the store expect. A disagreement is refused before the password
// goes anywhere: a signed Neuron login is never turned into a cleartext one.
store::Kind login_kind(const Context& context, backends::Server& server, const HostSpec& host,
                       const LoginOptions& options, const std::string& name) {
  if (options.kind) return *options.kind;
  const std::optional<ExpectedKind> expected =
      expected_login_kind(context, options, name, host.origin);
  const store::Kind found =
      server.detect_kind(expected ? std::optional<store::Kind>(expected->kind) : std::nullopt);
  const std::string found_name = store::kind_name(found);
  if (expected && found != expected->kind)
    throw Error(ExitCode::error,
                host.authority + " answers as a " + found_name + ", but " + expected->why +
                    ": the password was not sent",
                "give --kind " + found_name + " if the server really changed");
  return found;
}

LoginOutput output_of(const LoginOptions& options) {
  return {options.no_store, options.print_token, nullptr};
}

// A login's password, and whether it was typed at the prompt: only then may it be typed
// again when the server calls it wrong (password_retypes).
struct LoginPassword {
  std::string value;
  bool typed = false;
  std::string prompt;  // "Password for USER@HOST: "
};

// Says why the last try failed and asks for the password again (the old one wiped).
void retype_password(const Context& context, const LoginOptions& options, LoginPassword& password,
                     const std::string& why) {
  std::cerr << "authctl: " + text::printable(why) + ": try again\n";  // one write
  crypto::wipe(password.value);
  password.value = obtain_password(context, options.password, password.prompt);
}

store::Profile login_neuron(Context& context, backends::NeuronClient& neuron, const HostSpec& host,
                            const LoginOptions& options, LoginMethod method,
                            LoginPassword& password) {
  std::optional<backends::NeuronToken> token;
  for (int left = password.typed ? password_retypes(store::Kind::neuron) : 0; !token; --left) {
    try {
      token = method == LoginMethod::www
                  ? neuron.www_login(options.user, password.value, options.seconds)
                  : neuron.login(options.user, password.value, options.seconds);
    } catch (const Error& e) {
      if (left <= 0 || !wrong_password(e)) throw;  // a block or rate limit stops at once
      retype_password(context, options, password, e.what());
    }
  }
  store::Profile profile = new_profile(context, store::Kind::neuron, method, host.origin,
                                       options.user, token->jwt, token->clock_offset);
  profile.expires = token->expires;
  profile.issued_at = token->issued_at;
  profile.seconds = options.seconds;
  return profile;
}

// The TOTP secret for computing codes: --totp-secret-file, else AUTHCTL_TOTP_SECRET.
std::optional<std::string> totp_secret(const LoginOptions& options) {
  std::string text;
  if (!options.totp_secret_file.empty()) {
    text = first_line_of(options.totp_secret_file).value_or("");
    if (text.empty())
      throw Error(ExitCode::auth, "--totp-secret-file " + options.totp_secret_file + " is empty",
                  "put the base32 secret on its first line");
  } else if (const char* env = getenv("AUTHCTL_TOTP_SECRET"); env && *env) {
    text = env;
  } else {
    return std::nullopt;
  }
  auto secret = totp::secret_from_text(text);
  crypto::wipe(text);
  if (!secret)
    throw Error(ExitCode::usage, "the TOTP secret is not base32",
                "give the secret as the server showed it (letters A-Z and digits 2-7)");
  return secret;
}

// A code computed on the server's clock (offset from its Date header), so local clock skew
// does not matter. Waits for the next step when totp_wait_reason says so.
std::string computed_totp_code(const std::string& secret, int64_t clock_offset) {
  term::InterruptGuard guard;
  for (;;) {
    const int64_t server_now = timeutil::now() + clock_offset;
    const int64_t left = totp::seconds_left(server_now);
    std::string code = totp::code_at(secret, server_now);
    const char* why = totp_wait_reason(left, code);
    if (!why) return code;
    std::cerr << "Waiting " << left << " s for the next TOTP code: " << why << "\n";
    term::sleep_interruptible(std::chrono::milliseconds(left * 1000 + 200));
  }
}

// A code typed at the prompt (nullopt-free: no code ends the login with exit 4).
std::string typed_totp_code(const HostSpec& host, const LoginOptions& options) {
  auto code = term::prompt_line("TOTP code for " + options.user + "@" + host.authority + ": ");
  if (!code || !valid_totp_format(*code))
    throw Error(ExitCode::auth, "no valid TOTP code entered", "type the 6 digits your app shows");
  return *code;
}

// The code for an account that asks for one: --totp-code, else computed from the secret,
// else typed. `computed` says which (for the hint when the server refuses it).
std::string login_totp_code(Context& context, const HostSpec& host, const LoginOptions& options,
                            int64_t clock_offset, bool& computed) {
  if (!options.totp_code.empty()) return options.totp_code;
  if (auto secret = totp_secret(options)) {
    std::string code = computed_totp_code(*secret, clock_offset);
    crypto::wipe(*secret);
    computed = true;
    return code;
  }
  if (!context.can_prompt())
    throw Error(ExitCode::auth,
                "this account needs a TOTP code, none was given, and " + context.why_no_prompt(),
                kTotpSourcesHint);
  return typed_totp_code(host, options);
}

// Nexterm's first post, without a code: a wrong password typed at the prompt is asked for
// again (201, at most password_retypes times); anything else is the caller's to read.
backends::NextermLogin nexterm_password_step(Context& context, backends::NextermClient& nexterm,
                                             const LoginOptions& options, LoginPassword& password) {
  for (int left = password.typed ? password_retypes(store::Kind::nexterm) : 0;; --left) {
    backends::NextermLogin result = nexterm.login(options.user, password.value, std::nullopt);
    if (!result.refused || result.refused->code != 201 || left <= 0) return result;
    const Error wrong =
        nexterm_login_refusal(201, result.refused->message, nexterm.host(), std::nullopt, false);
    retype_password(context, options, password, wrong.what());
  }
}

// The post with a code (after a 202): a code typed at the prompt and refused (203) is asked
// for again, alone (at most kTotpRetypes times). `code` and `computed`: the code sent last.
backends::NextermLogin nexterm_code_step(Context& context, backends::NextermClient& nexterm,
                                         const HostSpec& host, const LoginOptions& options,
                                         const LoginPassword& password, int64_t clock_offset,
                                         std::optional<std::string>& code, bool& computed) {
  code = login_totp_code(context, host, options, clock_offset, computed);
  const bool typed = options.totp_code.empty() && !computed;
  for (int left = typed ? kTotpRetypes : 0;; --left) {
    backends::NextermLogin result = nexterm.login(options.user, password.value, code);
    if (!result.refused || result.refused->code != 203 || left <= 0) return result;
    const Error refused = nexterm_login_refusal(203, result.refused->message, host, code, false);
    std::cerr << "authctl: " + text::printable(refused.what()) +
                     ((*code)[0] == '0' ? ": wait for a code that does not start with 0 (a "
                                          "server bug refuses those), then type it\n"
                                        : ": type the current code\n");
    code = typed_totp_code(host, options);
  }
}

store::Profile login_nexterm(Context& context, backends::NextermClient& nexterm,
                             const HostSpec& host, const LoginOptions& options,
                             LoginPassword& password) {
  // Post without a code first; only a 202 asks for one.
  std::optional<std::string> code;
  backends::NextermLogin result = nexterm_password_step(context, nexterm, options, password);
  bool computed = false;
  if (result.totp_required)
    result = nexterm_code_step(context, nexterm, host, options, password, result.clock_offset, code,
                               computed);
  if (result.refused)
    throw nexterm_login_refusal(result.refused->code, result.refused->message, host, code,
                                computed);
  return new_profile(context, store::Kind::nexterm, LoginMethod::password, host.origin,
                     options.user, result.token, result.clock_offset);
}

// An API key never silently replaces a session profile (the session would be ended).
void refuse_replacing_session(const Context& context, const std::string& name,
                              const LoginOptions& options) {
  if (options.no_store || options.force) return;
  const store::Credentials credentials = context.open_store().load();
  const store::Profile* existing = credentials.find(name);
  if (existing && !backends::holds_api_key(*existing))
    throw Error(ExitCode::usage,
                "profile " + name + " holds a session; the API key would replace it",
                "name the key's profile with -p NAME, or replace the session with --force");
}

// --with-token: an API key from stdin, checked with /api/accounts/me.
void run_with_token(Context& context, const HostSpec& host, const LoginOptions& options) {
  std::string key(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
    key.pop_back();
  if (!backends::is_nexterm_api_key(key))
    throw Error(ExitCode::usage,
                "--with-token reads a Nexterm API key (nxt_ and 64 hex digits) from stdin",
                "e.g. authctl login --host H --with-token < key.txt");
  // A profile named by -p is checked before the key goes anywhere; a derived name (it needs
  // the user the server gives) after.
  if (!context.explicit_profile().empty())
    refuse_replacing_session(context, context.explicit_profile(), options);
  backends::NextermClient nexterm = context.nexterm_at(host);
  nexterm.hide(key);
  std::string user = nexterm.user_name(key);  // a bad one is a malformed answer: nothing stored
  if (user.empty()) user = options.user;
  const store::Profile profile =
      new_profile(context, store::Kind::nexterm, LoginMethod::api_key, host.origin, user, key, 0);
  const std::string name = profile_name_for(context, profile.user, host.authority);
  if (!options.no_store) {
    refuse_replacing_session(context, name, options);
    finish_login(context, {name, profile}, options.force, false);
  }
  print_login(context, {name, profile}, output_of(options));
  crypto::wipe(key);
}

// --session-cookie: turn an existing Neuron web session into a JWT.
void run_session_cookie(Context& context, const HostSpec& host, const LoginOptions& options) {
  std::optional<std::string> read = read_file_or_stdin(options.session_cookie, "--session-cookie");
  if (!read)
    throw Error(ExitCode::usage, "cannot read --session-cookie " + options.session_cookie,
                "give a file (or - for stdin) holding the HttpSessionID cookie");
  std::string text = std::move(*read);
  auto cookie = cookie::http_session_id(text, host.host);
  crypto::wipe(text);
  if (!cookie)
    throw Error(ExitCode::usage, "no HttpSessionID cookie found in --session-cookie input",
                "give the value, HttpSessionID=VALUE, a Cookie: line, or a cookies.txt file");
  std::string user;
  const auto token = context.neuron_at(host).session_cookie_login(*cookie, options.seconds, &user);
  crypto::wipe(*cookie);
  if (user.empty()) user = options.user.empty() ? "unknown" : options.user;
  store::Profile profile = new_profile(context, store::Kind::neuron, LoginMethod::session_cookie,
                                       host.origin, user, token.jwt, token.clock_offset);
  profile.expires = token.expires;
  profile.issued_at = token.issued_at;
  profile.seconds = options.seconds;
  const NewSession session{profile_name_for(context, user, host.authority), profile};
  finish_login(context, session, options.force, options.no_store);
  print_login(context, session, output_of(options));
}

// The quick start's NEURON_HOST and NEURON_USER, noting that they were used: they mean a
// Neuron (see expected_kind).
void apply_neuron_defaults(LoginOptions& options) {
  if (const char* host = getenv("NEURON_HOST"); options.host.empty() && host && *host) {
    options.host = host;
    options.host_from_env = true;
  }
  if (const char* user = getenv("NEURON_USER"); options.user.empty() && user && *user) {
    options.user = user;
    options.user_from_env = true;
  }
}

// --passkey: no --host needed (the key file knows its server). `reused`: the profile it
// logs in to again, if any.
void run_passkey(Context& context, const LoginOptions& options,
                 const std::optional<HostSpec>& reused) {
  PasskeyLoginRequest request;
  request.host = reused;
  if (!options.host.empty())
    request.host = context.host_option(options.host, options.allow_http, "--host");
  request.user = options.user;
  request.key_file = options.passkey_file;
  request.passphrase_file = options.passphrase_file;
  request.force = options.force;
  request.no_store = options.no_store;
  print_login(context, run_passkey_login(context, request), output_of(options));
}

// The local checks of a password login, before any request.
void check_password_login(Context& context, const HostSpec& host, LoginOptions& options,
                          LoginMethod method) {
  if (options.user.empty()) {
    if (!context.can_prompt())
      throw Error(ExitCode::usage, "login needs a user name and " + context.why_no_prompt(),
                  "give -u USER or set NEURON_USER");
    auto typed = term::prompt_line("User name for " + host.authority + ": ");
    if (!typed || typed->empty())
      throw Error(ExitCode::usage, "no user name entered", "give -u USER");
    options.user = *typed;
  }
  if (method == LoginMethod::www) {
    // WwwLogin sends the password itself (HTTP Basic): never in the clear over a network.
    if (host.scheme == "http" && !host.loopback)
      throw Error(ExitCode::usage, "--www sends the password itself and is refused over plain http",
                  "use https (or the default signed login, without --www)");
    options.kind = store::Kind::neuron;
  }
  if (!options.totp_code.empty() && !valid_totp_format(options.totp_code))
    throw Error(ExitCode::usage, "--totp-code must be 6 digits", "use the code your app shows now");
}

// --kind skips the probe. When a login of that kind finds no such endpoint (or HTML), the
// probe says whether the server is of the other kind, and the error says so.
void check_given_kind(backends::Server& server, const HostSpec& host, store::Kind given,
                      const Error& failed) {
  if (failed.reason() != Reason::request_refused && failed.reason() != Reason::not_json &&
      failed.reason() != Reason::misbehaving)
    return;
  const store::Kind other =
      given == store::Kind::neuron ? store::Kind::nexterm : store::Kind::neuron;
  store::Kind found = given;
  try {
    found = server.detect_kind(other);
  } catch (const Error&) {
    return;  // neither: the login's own error says what came
  }
  if (found == given) return;
  auto title = [](store::Kind kind) { return kind == store::Kind::neuron ? "Neuron" : "Nexterm"; };
  throw Error(
      ExitCode::error,
      host.authority + " is a " + title(found) + ", not a " + title(given) + " (--kind " +
          store::kind_name(given) + ")",
      std::string("give --kind ") + store::kind_name(found) + ", or leave --kind out to detect it");
}

store::Profile password_login(Context& context, backends::Server& server, const HostSpec& host,
                              const LoginOptions& options, LoginMethod method,
                              LoginPassword& password, store::Kind kind) {
  try {
    return kind == store::Kind::neuron
               ? login_neuron(context, server.neuron(), host, options, method, password)
               : login_nexterm(context, server.nexterm(), host, options, password);
  } catch (const Error& e) {
    if (options.kind) check_given_kind(server, host, *options.kind, e);
    throw;
  }
}

void run_password_login(Context& context, const HostSpec& host, LoginOptions& options,
                        LoginMethod method) {
  check_password_login(context, host, options, method);
  const std::string name = profile_name_for(context, options.user, host.authority);
  if (!options.no_store) prepare_store(context, name, host.origin, options.user, options.force);
  // All local checks come first. Without a password source and no one to ask: exit 4 now,
  // before any request. With a prompt to come, the server is probed first, so that a wrong
  // host fails before the password is typed.
  std::optional<std::string> given = password_without_prompt(options.password);
  LoginPassword password{{}, !given, "Password for " + options.user + "@" + host.authority + ": "};
  if (!given && !context.can_prompt()) obtain_password(context, options.password, password.prompt);
  backends::Server server = context.server(host);
  const store::Kind kind = login_kind(context, server, host, options, name);
  password.value = given ? *given : obtain_password(context, options.password, password.prompt);
  if (given) crypto::wipe(*given);
  server.hide(password.value);
  store::Profile profile = password_login(context, server, host, options, method, password, kind);
  crypto::wipe(password.value);
  finish_login(context, {name, profile}, options.force, options.no_store);
  print_login(context, {name, profile}, output_of(options));
}

// --qr: the Neuron's Quick Login (cli/qr_login.hpp), printed with the event "logged_in".
void run_login_qr(Context& context, const HostSpec& host, const LoginOptions& options) {
  LoginOutput output = output_of(options);
  output.event = "logged_in";
  print_login(context,
              run_qr_login(context, host, options.wait,
                           {options.purpose, options.seconds, options.force, options.no_store}),
              output);
}

// The profile a login without --host (or NEURON_HOST) logs in to again: -p,
// AUTHCTL_PROFILE, else the current one (with --passkey only one named: without it the
// key file names its server and user). nullptr when there is none.
const store::Profile* profile_to_reuse(const Context& context,
                                       const store::Credentials& credentials, LoginMethod method,
                                       std::string& name) {
  name = context.explicit_profile();
  if (name.empty() && method != LoginMethod::passkey) name = credentials.current;
  return name.empty() ? nullptr : credentials.find(name);
}

// Refuses, before anything is sent, a re-login the profile cannot take: a way to log in
// its server kind does not have (the secret would go to the wrong kind of server), a
// NEURON_USER that is not its user (NEURON_PASSWORD is that user's), and a password login
// over an API key, which would drop the key from the store.
void check_reusable(const std::string& name, const store::Profile& profile,
                    const LoginOptions& options, LoginMethod method) {
  const std::string shown = text::printable(name);
  if (const auto needed = kind_of_method(method); needed && *needed != profile.kind)
    throw Error(ExitCode::usage,
                std::string("login ") + method_option(method) + " is a " +
                    store::kind_name(*needed) + " login, and profile " + shown + " is a " +
                    store::kind_name(profile.kind) + " profile: nothing was sent",
                "give --host HOST for the server to log in to");
  if (options.user_from_env && options.user != profile.user)
    throw Error(ExitCode::usage,
                "NEURON_USER is " + text::printable(options.user) + ", but profile " + shown +
                    " is " + text::printable(profile.user) + "'s: nothing was sent",
                "unset NEURON_USER to log in to the profile again, or give --host HOST");
  if (method != LoginMethod::api_key && backends::holds_api_key(profile) && !options.force)
    throw Error(ExitCode::usage, "profile " + shown + " holds an API key; a login would replace it",
                "log in to another profile with -p NEW, or replace the key with --force");
}

// Re-uses that profile: its URL (plain http as it was allowed when it was made), its user
// unless -u is given (NEURON_USER is not: it would store another user's session under this
// name), the CA it remembered unless --cacert is, its passkey file for --passkey (after
// --passkey-file and AUTHCTL_PASSKEY_FILE), and its name for the new session. Its kind is
// what a password login expects the probe to find (expected_kind looks for the profile of
// that name first), unless a NEURON_* variable says Neuron. nullopt with --host.
std::optional<HostSpec> reuse_profile(Context& context, LoginOptions& options, LoginMethod method) {
  if (!options.host.empty() && !options.host_from_env) return std::nullopt;
  const store::Credentials credentials = context.open_store().load();
  warn_unusable(credentials);
  // NEURON_HOST is for making a profile: one named with -p is logged in to where it is
  // (its printed re-login command must work with the quick start's variables set).
  if (options.host_from_env && !credentials.find(context.explicit_profile())) return std::nullopt;
  options.host.clear();
  options.host_from_env = false;
  std::string name;
  const store::Profile* profile = profile_to_reuse(context, credentials, method, name);
  if (!profile && method == LoginMethod::passkey) return std::nullopt;
  if (!profile && !name.empty() && name == context.explicit_profile())
    throw Error(ExitCode::usage,
                "login needs --host: there is no profile " + name + " to log in to again",
                "give --host HOST[:PORT] to make it (or set NEURON_HOST)");
  if (!profile)
    throw Error(ExitCode::usage, "login needs --host",
                "give --host HOST[:PORT] or set NEURON_HOST (authctl login -p NAME logs in to a "
                "profile again)");
  check_reusable(name, *profile, options, method);
  context.global.profile = name;  // the new session replaces this profile, under its name
  context.relogin_cacert = profile->cacert;
  context.hints.profile = profile_in_use(name, *profile);
  if (options.user.empty()) options.user = profile->user;
  const char* env_key_file = getenv("AUTHCTL_PASSKEY_FILE");
  if (options.passkey_file.empty() && !(env_key_file && *env_key_file))
    options.passkey_file = profile->passkey_file;
  // Not named by an option: hints about this server speak of the profile's URL.
  return parse_host(profile->url, /*allow_http=*/true);
}

// --host (or NEURON_HOST), else the profile re-used, which every method but --passkey needs.
HostSpec login_host(Context& context, const LoginOptions& options,
                    const std::optional<HostSpec>& reused) {
  if (reused) return *reused;
  return context.host_option(options.host, options.allow_http, "--host");
}

LoginFlags login_flags_of(const LoginOptions& options) {
  LoginFlags flags;
  flags.with_token = options.with_token;
  flags.device = options.device;
  flags.session_cookie = !options.session_cookie.empty();
  flags.www = options.www;
  flags.qr = options.qr;
  flags.passkey = options.passkey;
  flags.kind = options.kind;
  flags.password = options.password.from_stdin || !options.password.file.empty();
  flags.totp = !options.totp_code.empty() || !options.totp_secret_file.empty();
  return flags;
}

void run_login(Context& context, LoginOptions options) {
  context.check_profile_option();
  options.kind = store::kind_from_name(options.kind_name);
  apply_neuron_defaults(options);
  const LoginMethod method = login_method(login_flags_of(options));
  const std::optional<HostSpec> reused = reuse_profile(context, options, method);
  if (method == LoginMethod::passkey) return run_passkey(context, options, reused);
  const HostSpec host = login_host(context, options, reused);
  switch (method) {
    case LoginMethod::api_key:
      return run_with_token(context, host, options);
    case LoginMethod::session_cookie:
      return run_session_cookie(context, host, options);
    case LoginMethod::qr:
      return run_login_qr(context, host, options);
    case LoginMethod::device:
      return run_device_login(context, host, options.wait, options.force, options.no_store,
                              options.print_token);
    case LoginMethod::passkey:  // above
    case LoginMethod::password:
    case LoginMethod::www:
      return run_password_login(context, host, options, method);
  }
}

// Where and as whom: the server, its kind, the user and the password.
void add_login_account_options(CLI::App* cmd, LoginOptions& options) {
  // NEURON_HOST and NEURON_USER are applied by run_login, which must know they were used.
  cmd->add_option("--host", options.host,
                  "HOST[:PORT] or https://HOST[:PORT]; a plain-http server: http://HOST:PORT (or "
                  "NEURON_HOST; else the profile in use)")
      ->type_name("HOST");
  cmd->add_option("--kind", options.kind_name, "Server kind; detected when omitted")
      ->check(CLI::IsMember({"neuron", "nexterm"}).description(""))
      ->type_name("neuron|nexterm");
  cmd->add_option("-u,--user", options.user, "User name (or NEURON_USER)")->type_name("NAME");
  add_password_options(cmd, options.password);
}

// What one kind of server takes: the Neuron token's lifetime, Nexterm's TOTP code. (Added
// after the ways to log in: --help shows the groups in the order their options came.)
void add_login_server_options(CLI::App* cmd, LoginOptions& options) {
  cmd->add_option("--seconds", options.seconds, "Neuron token lifetime, 1..3600 (default 3600)")
      ->check(CLI::Range(1, 3600).description(""))
      ->type_name("N");
  cmd->add_option("--totp-code", options.totp_code, "Nexterm: the current TOTP code")
      ->type_name("CODE");
  cmd->add_option(
         "--totp-secret-file", options.totp_secret_file,
         "Nexterm: compute TOTP codes from the base32 secret in FILE (or AUTHCTL_TOTP_SECRET)")
      ->check(CLI::ExistingFile.description(""))
      ->type_name("FILE");
}

// The options that only one way to log in takes name it.
struct LoginMethodOptions {
  CLI::Option* qr;
  CLI::Option* passkey;
};

// The ways to log in other than a password (login_method picks one): each excludes the
// others, which CLI11 refuses while parsing and lists in --help.
LoginMethodOptions add_login_method_options(CLI::App* cmd, LoginOptions& options) {
  auto* with_token = cmd->add_flag("--with-token", options.with_token,
                                   "Nexterm: read an API key (nxt_...) from stdin and store it");
  auto* device = cmd->add_flag("--device", options.device,
                               "Nexterm: log in with a device code (same as device-link)");
  auto* session_cookie =
      cmd->add_option(
             "--session-cookie", options.session_cookie,
             "Neuron: turn a web session (HttpSessionID cookie in FILE, or - for stdin) into a JWT")
          ->type_name("FILE|-");
  auto* www =
      cmd->add_flag("--www", options.www,
                    "Neuron WwwLogin over HTTP Basic (the server sees the password; https only)");
  auto* qr = cmd->add_flag("--qr", options.qr,
                           "Neuron Quick Login: scan a QR code with the app, no password");
  auto* passkey = cmd->add_flag("--passkey", options.passkey,
                                "Nexterm: log in with a passkey made by passkey add (no "
                                "password, no TOTP)");
  const std::vector<CLI::Option*> methods{with_token, device, session_cookie, www, qr, passkey};
  for (size_t i = 0; i < methods.size(); ++i)
    for (size_t j = 0; j < i; ++j) methods[i]->excludes(methods[j]);
  return {qr, passkey};
}

// What --passkey and --qr take, and how long to wait (--device and --qr).
void add_login_method_details(CLI::App* cmd, LoginOptions& options,
                              const LoginMethodOptions& methods) {
  cmd->add_option("--passkey-file", options.passkey_file,
                  "--passkey: the key file to use (or AUTHCTL_PASSKEY_FILE)")
      ->needs(methods.passkey)
      ->type_name("FILE");
  add_passphrase_option(cmd, options.passphrase_file)->needs(methods.passkey);
  cmd->add_option("--purpose", options.purpose, "--qr: why, as the app shows it")
      ->needs(methods.qr)
      ->type_name("TEXT");
  add_wait_options(cmd, options.wait, /*with_qr_content=*/true);
}

// The connection, replacing a profile and what is printed or stored.
void add_login_output_options(CLI::App* cmd, LoginOptions& options) {
  cmd->add_flag("--allow-http", options.allow_http, "Allow plain http to a non-loopback host");
  cmd->add_flag("--force", options.force, "Replace a profile of the same name on another URL");
  auto* print = cmd->add_flag("--print-token", options.print_token, "Print the token on stdout");
  cmd->add_flag("--no-store", options.no_store, "Write nothing to disk (with --print-token)")
      ->needs(print);
}

}  // namespace

// --help shows login's many options in groups, in this order.
void group_login_options(CLI::App* cmd) {
  static const std::vector<std::pair<const char*, std::vector<std::string>>> kGroups = {
      {"Server and account",
       {"--host", "--kind", "--user", "--password-stdin", "--password-file", "--allow-http",
        "--force"}},
      {"Ways to log in instead of a password (one of)",
       {"--qr", "--device", "--passkey", "--with-token", "--session-cookie", "--www"}},
      {"Neuron", {"--seconds", "--purpose"}},
      {"Nexterm", {"--totp-code", "--totp-secret-file", "--passkey-file", "--passphrase-file"}},
      {"Waiting and QR", {"--interval", "--wait", "--show-qr", "--qr-content"}},
      {"Output and CI", {"--print-token", "--no-store", "--secure-storage"}}};
  for (const auto& [group, names] : kGroups)
    for (const auto& name : names)
      if (CLI::Option* opt = cmd->get_option_no_throw(name)) opt->group(group);
}

void register_login(CLI::App& app, Context& context) {
  auto options = std::make_shared<LoginOptions>();
  auto* cmd = app.add_subcommand("login", "Log in and store the session as a profile");
  add_login_account_options(cmd, *options);
  const LoginMethodOptions methods = add_login_method_options(cmd, *options);
  add_login_server_options(cmd, *options);
  add_login_method_details(cmd, *options, methods);
  add_login_output_options(cmd, *options);
  add_secure_storage_option(cmd, options->secure_storage);
  group_login_options(cmd);
  cmd->callback([&context, options] {
    use_secure_storage(context, options->secure_storage);
    run_login(context, *options);
  });
}

}  // namespace authctl::cli
