#include "cli/hints.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>

#include "core/host.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

struct FixedHint {
  Reason reason;
  const char* text;
};

// Hints that need no facts. Hints with facts are in hint_with_facts().
constexpr FixedHint kFixedHints[] = {
    {Reason::min_valid_too_long, "ask for a shorter --min-valid"},
    {Reason::wrong_password, "check the user name and password (and that the account is enabled)"},
    {Reason::wrong_www_password, "check the user name and password"},
    {Reason::login_rejected, "check the user name and options"},
    {Reason::totp_format, "give the 6-digit code"},
    {Reason::code_refused,
     "check the code in the latest message, or send new ones with authctl account resend-codes"},
    {Reason::web_session_logged_out,
     "log in in the browser first (or sign the Quick Login), then copy the cookie again"},
    {Reason::given_token_invalid, "check the token you passed"},
    {Reason::forbidden, "this account may not do that"},
    {Reason::blocked, "ask the server's operator to lift the block"},
    {Reason::server_error, "the server has a problem; retry later"},
    {Reason::misbehaving,
     "the server (or something between it and you) is misbehaving; retry later or report it to "
     "its operator"},
    {Reason::too_old_for_passkeys,
     "the server is misbehaving (or too old for passkeys); check its version"},
    {Reason::soft_refused, "see authctl --help, or retry"},
    {Reason::no_quick_login, "--qr needs a Neuron; for Nexterm use --device"},
    {Reason::remote_not_neuron, "--remote must be a Neuron"},
    {Reason::no_event_channel, "check that the host is a Neuron with Quick Login"},
    {Reason::invalid_host, "give HOST, HOST:PORT or https://HOST[:PORT]"},
    {Reason::cannot_resolve, "check the host name and your network"},
    {Reason::cannot_connect, "check that the server is running and reachable from here"},
    {Reason::timed_out, "retry, or allow more time with --timeout SECONDS"},
    {Reason::connection_closed,
     "retry; if it persists, the server or a proxy in between is failing"},
    {Reason::network_failed, "check your network and the server, then retry"},
    {Reason::tls_untrusted, "pass --cacert FILE (or AUTHCTL_CA_BUNDLE) with the CA that signed it"},
    {Reason::tls_handshake,
     "if the server speaks plain HTTP, use an http:// URL (loopback, or --allow-http)"},
    {Reason::plain_http_refused, "use https, or pass --allow-http if you accept that"},
    {Reason::api_path, "give a path such as /api/accounts/me"},
    {Reason::api_path_elsewhere,
     "the token is only ever sent to the profile's own server: give a PATH starting with /"},
    {Reason::device_code_unknown, "ask for a new code on the device"},
    {Reason::device_code_used, "nothing to do; the device is logged in"},
    {Reason::no_such_api_key, "authctl apikey list shows the ids"},
    {Reason::no_such_passkey, "see the ids with authctl passkey list"},
    {Reason::no_passkeys, "log in another way and register one with authctl passkey add"},
    {Reason::passkey_rejected, "retry with authctl passkey add (a new key and credential id)"},
    {Reason::passkey_unverified, "retry with authctl passkey add"},
    {Reason::passkey_signature,
     "the key file may not belong to this passkey; register a new one with authctl passkey add"},
    {Reason::passkey_unknown,
     "log in another way, then register a new one with authctl passkey add (and remove the old "
     "key file: authctl passkey remove ID --local)"},
    {Reason::attestation_failed, "retry; if it persists, report it with authctl -v output"},
    {Reason::no_such_user, "check -u, or leave it out: the passkey file names its user"},
    {Reason::message_not_sent, "check the recipient's JID, then retry"},
    {Reason::key_damaged,
     "the file is damaged: remove it and register a new passkey (authctl passkey add)"},
    {Reason::key_unsupported,
     "remove the key file and register a new passkey (authctl passkey add)"},
    {Reason::key_iterations,
     "the file was not written by authctl; remove it and register a new passkey"},
    {Reason::passphrase_missing,
     "give it with --passphrase-file FILE or AUTHCTL_PASSKEY_PASSPHRASE"},
    {Reason::passphrase_wrong, "give it with --passphrase-file FILE or AUTHCTL_PASSKEY_PASSPHRASE"},
    {Reason::store_corrupt, "it was left unchanged; repair it, or move it aside and log in again"},
    {Reason::store_version, "upgrade authctl"},
    {Reason::file_symlink, "replace it with a real file or folder, or set AUTHCTL_CONFIG_DIR"},
    {Reason::store_file_special, "move it aside; authctl makes a new one when needed"},
    {Reason::user_file_special, "give a regular file (a symlink to one is fine)"},
    {Reason::not_a_folder, "move it aside, or set AUTHCTL_CONFIG_DIR"},
    {Reason::file_io, "check the path, its permissions and free space, or set AUTHCTL_CONFIG_DIR"},
    {Reason::home_unset, "set AUTHCTL_CONFIG_DIR or HOME"},
    {Reason::file_unexpected, "check that it is the right file"},
    {Reason::passkey_file_invalid,
     "remove it (authctl passkey remove ID --local) and run authctl passkey add"},
    {Reason::passkey_file_missing, "run authctl passkey add"},
    {Reason::passkey_file_option, "check --passkey-file"},
    {Reason::keyring_unreachable,
     "start the desktop keyring (GNOME Keyring, KWallet) in this session and retry, or log in "
     "again with --secure-storage file"},
    {Reason::keyring_locked,
     "unlock the keyring (e.g. with seahorse), or run without --no-input and CI=true so that "
     "it may ask"},
    {Reason::keyring_unusable,
     "install libsecret-1-0 and the keyring plugin of this authctl (reinstall authctl), or log "
     "in with --secure-storage file"},
    {Reason::file_exists, "remove it, or try again"},
};

// The option a server was given with, else "" (it came from a profile).
std::string option_of(const HintScope& scope, const std::string& authority) {
  auto it = scope.url_options.find(authority);
  return it == scope.url_options.end() ? std::string() : it->second;
}

// The option of login that makes a session the way `method` did ("" for a password).
std::string login_flag(const std::optional<store::LoginMethod>& method) {
  using store::LoginMethod;
  switch (method.value_or(LoginMethod::password)) {
    case LoginMethod::www:
      return " --www";
    case LoginMethod::qr:
      return " --qr";
    case LoginMethod::passkey:
      return " --passkey";
    case LoginMethod::session_cookie:
      return " --session-cookie FILE";
    case LoginMethod::api_key:
      return " --with-token";
    case LoginMethod::password:
    case LoginMethod::device:
      return "";
  }
  return "";
}

// What a hint says before the command for that way of logging in.
std::string relogin_preface(const std::optional<store::LoginMethod>& method) {
  if (!method) return "log in again the way it was made (authctl login --help lists them), e.g. ";
  if (*method == store::LoginMethod::session_cookie)
    return "copy the web session's cookie into FILE again, then run ";
  if (*method == store::LoginMethod::api_key)
    return "create a new API key (in the web app, or authctl apikey create with a session), "
           "then run ";
  return "log in again: ";
}

// The hints that say how to log in to the profile in use again: a command that works as
// written for it, built from what the store recorded (never its token).
std::string relogin_hint(const Error& error, const HintScope& scope) {
  if (!scope.profile) {
    if (error.reason() == Reason::api_key_rejected)
      return "the API key is invalid, expired or revoked: create a new one (authctl apikey "
             "create) and store it with authctl login --with-token";
    if (error.reason() == Reason::relogin_needed)
      return "run authctl login (or provide AUTHCTL_PASSWORD for automatic re-login)";
    return "run authctl login";
  }
  ProfileInUse profile = *scope.profile;
  if (error.reason() == Reason::api_key_rejected) profile.method = store::LoginMethod::api_key;
  std::string hint = relogin_preface(profile.method) +
                     relogin_command(profile, error.reason() == Reason::profile_gone);
  const bool password =
      profile.method == store::LoginMethod::password || profile.method == store::LoginMethod::www;
  if (error.reason() == Reason::relogin_needed && password && profile.kind == store::Kind::neuron)
    hint += " (or provide AUTHCTL_PASSWORD for automatic re-login)";
  if (text::needs_escaping(profile.name))
    hint +=
        " (NAME: this profile's name, which holds characters that cannot be shown here; "
        "authctl status lists it)";
  return hint;
}

// A session-only call on a profile that holds an API key: a session needs a profile of its
// own (a login on this one would replace the key).
std::string api_key_profile_hint(const HintScope& scope) {
  if (!scope.profile)
    return "log in with a password (authctl login) or a device code (authctl device-link) under "
           "another profile name";
  const std::string host = host_arguments(scope.profile->url);
  return "log in with a session under another profile name: authctl login" + host +
         " -p NEW (or authctl device-link" + host + " -p NEW)";
}

// An https URL reached a plain-HTTP server: the same server as http://HOST:PORT, in the
// option that named it (--host when it came from a profile: log in to it that way).
std::string plain_http_hint(const std::string& authority, const HintScope& scope) {
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  const std::string url = "http://" + authority + (has_port ? "" : ":443");
  const std::string option = option_of(scope, authority);
  std::string hint = "use " + (option.empty() ? std::string("--host") : option) + " " + url;
  try {
    // Anyone on the path can answer port 443 in plain text: over a network the advice says
    // what following it costs, so that no one gives up TLS unawares.
    if (!parse_host(url, /*allow_http=*/true).loopback)
      hint +=
          " with --allow-http, but only on a network you trust: your password and tokens "
          "would then cross it unencrypted";
  } catch (const Error&) {
    // An authority from a URL that was parsed already.
  }
  return hint;
}

// What to check when a server answered in a way that says it may be the wrong one;
// `option` gave the server ("" when it came from the profile).
std::string server_hint(Reason reason, const std::string& option) {
  const std::string where = option.empty() ? "the profile's URL" : option;
  switch (reason) {
    case Reason::redirected:
      return option.empty() ? "the server has moved: log in again with --host set to the final URL"
                            : "use the final URL in " + option;
    case Reason::not_json:
      return "check that " + where + " points at the right server";
    case Reason::too_large:
      return "the server is misbehaving; check " + where;
    case Reason::passkey_origin:
      return "check that " + where + " is the URL the passkey was registered with";
    case Reason::passkey_rp_mismatch:
      return "nothing was registered; check " + where + " and the server's passkey settings";
    case Reason::unknown_server_kind:
      return "check " + where + ", or give --kind";
    default:  // request_refused
      return "check " + where + " and the command's options";
  }
}

std::string hint_with_facts(const Error& error, const HintScope& scope) {
  const ErrorFacts& facts = error.facts();
  switch (error.reason()) {
    case Reason::session_ended:
    case Reason::profile_gone:
    case Reason::relogin_needed:
    case Reason::api_key_rejected:
      return relogin_hint(error, scope);
    case Reason::api_key_profile:
      return api_key_profile_hint(scope);
    case Reason::redirected:
    case Reason::request_refused:
    case Reason::not_json:
    case Reason::too_large:
    case Reason::passkey_origin:
    case Reason::passkey_rp_mismatch:
    case Reason::unknown_server_kind:
      return server_hint(error.reason(), option_of(scope, facts.subject));
    case Reason::no_device_login:  // the way in that a Neuron has instead
      return "device codes need a Nexterm; for a Neuron, log in with authctl login --qr" +
             host_arguments(facts.detail);
    case Reason::plain_http_server:
      return plain_http_hint(facts.subject, scope);
    case Reason::rate_limited:
      return facts.seconds ? "retry in " + timeutil::format_duration(*facts.seconds)
                           : "wait a while, then retry";
    case Reason::user_taken:
      return facts.detail.empty() ? "choose another -u" : "choose another -u, e.g. " + facts.detail;
    case Reason::file_foreign_owner:
      return "run: chown $(id -u) '" + facts.subject + "', or use a config dir of your own";
    case Reason::lock_timeout:
      return "another authctl is still running; retry, or find it with: fuser '" + facts.subject +
             "'";
    case Reason::file_exposed:
      return "run: chmod " + facts.detail + " '" + facts.subject + "'";
    case Reason::cacert_unusable:
      return "check that it exists and holds PEM certificates (--cacert, AUTHCTL_CA_BUNDLE, or the "
             "one remembered in the profile: log in again to change it)";
    default:
      return {};
  }
}

}  // namespace

std::string host_arguments(const std::string& url) {
  std::string arguments = " --host " + shell_word(url);
  try {
    const HostSpec host = parse_host(url, /*allow_http=*/true);
    if (host.scheme == "http" && !host.loopback) arguments += " --allow-http";
  } catch (const Error&) {
    // A stored URL passed these rules when it was read (store::profile_problem).
  }
  return arguments;
}

ProfileInUse profile_in_use(const std::string& name, const store::Profile& profile) {
  return {name, profile.kind, profile.url, profile.method, profile.storage};
}

std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || (c && strchr("_-+.,/:@%", c));
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string profile_argument(const std::string& name) {
  if (name.empty() || text::needs_escaping(name)) return "-p NAME";
  if (name[0] == '-') return "--profile=" + shell_word(name);
  return "-p " + shell_word(name);
}

std::string relogin_command(const ProfileInUse& profile, bool with_host) {
  const std::string who = " " + profile_argument(profile.name);
  // A keyring profile is made again in the keyring (a login defaults to the file).
  const std::string where =
      profile.storage == store::Storage::keyring ? " --secure-storage keyring" : "";
  if (profile.method == store::LoginMethod::device)  // device-link always needs --host
    return "authctl device-link" + host_arguments(profile.url) + who + where;
  std::string command = "authctl login" + login_flag(profile.method) +
                        (with_host ? host_arguments(profile.url) : std::string()) + who + where;
  if (profile.method == store::LoginMethod::api_key) command += " < KEYFILE";
  return command;
}

std::string hint_for(const Error& error, const HintScope& scope) {
  if (!error.hint().empty()) return error.hint();
  const auto* fixed = std::find_if(std::begin(kFixedHints), std::end(kFixedHints),
                                   [&](const FixedHint& h) { return h.reason == error.reason(); });
  if (fixed != std::end(kFixedHints)) return fixed->text;
  return hint_with_facts(error, scope);
}

std::string error_line(const Error& error, const HintScope& scope) {
  const std::string hint = hint_for(error, scope);
  return "authctl: " + text::printable(error.what()) +
         (hint.empty() ? std::string() : ": " + text::printable(hint));
}

}  // namespace authctl::cli
