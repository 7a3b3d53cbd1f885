#include "cli/context.hpp"

#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>

#include "cli/connecting.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"
#include "store/fd.hpp"
#include "store/file_checks.hpp"
#include "term/tty.hpp"
#include "version.hpp"

namespace authctl::cli {

namespace {
bool ci_set() {
  const char* ci = getenv("CI");
  return ci && std::string(ci) == "true";
}
}  // namespace

store::Store Context::open_store() const {
  // AUTHCTL_LOCK_TIMEOUT (seconds, default 30) bounds the wait for another authctl.
  // At least 30 s, and longer than a lock holder's refresh can take (two tries of --timeout).
  int timeout_ms = std::max(30, 2 * global.timeout + 5) * 1000;
  if (const char* t = getenv("AUTHCTL_LOCK_TIMEOUT"); t && *t) {
    auto seconds = timeutil::parse_duration(t);
    if (!seconds)
      throw Error(ExitCode::usage,
                  "AUTHCTL_LOCK_TIMEOUT='" + text::printable(t) + "' is not a duration",
                  "use e.g. 30 or 2m");
    // 0 would never wait for a lock holder; hours would look like a hang.
    if (*seconds < 1 || *seconds > 3600)
      throw Error(ExitCode::usage,
                  "AUTHCTL_LOCK_TIMEOUT='" + text::printable(t) + "' is out of range",
                  "give 1s to 1h, e.g. 30 or 2m");
    timeout_ms = static_cast<int>(*seconds * 1000);
  }
  store::Store store(global.config_dir.empty() ? store::default_config_dir() : global.config_dir,
                     timeout_ms);
  store.set_secret_keeper(keyring());  // used only for keyring profiles
  return store;
}

std::shared_ptr<store::Keyring> Context::keyring() const {
  // The keyring's unlock prompt is a dialog, not the terminal: only the switches count.
  static const auto keyring = std::make_shared<store::Keyring>(!global.no_input && !ci_set());
  return keyring;
}

void Context::check_profile_option() const {
  if (global.profile.empty() || validate::is_profile_name(global.profile)) return;
  check_profile_option(open_store().load());
}

void Context::check_profile_option(const store::Credentials& credentials) const {
  if (global.profile.empty() || validate::is_profile_name(global.profile) ||
      credentials.find(global.profile))
    return;
  throw Error(ExitCode::usage, "'" + global.profile + "' is not a valid profile name",
              "a profile name holds only A-Z a-z 0-9 . _ - + @ : % [ ] (authctl status lists "
              "your profiles)");
}

std::string Context::select_profile(const store::Credentials& credentials) const {
  warn_unusable(credentials);  // every command that picks a profile names the unusable ones
  check_profile_option(credentials);
  if (!global.profile.empty()) {
    const store::Profile* profile = credentials.find(global.profile);
    if (!profile)
      throw Error(ExitCode::auth, "no profile named " + global.profile,
                  "authctl status lists your profiles; to make this one, run authctl login "
                  "--host HOST -u USER " +
                      profile_argument(global.profile));
    hints.profile = profile_in_use(global.profile, *profile);
    return global.profile;
  }
  if (credentials.current.empty() || !credentials.find(credentials.current)) {
    if (credentials.profiles.empty())
      throw Error(ExitCode::auth, "not logged in", "run authctl login --host HOST -u USER");
    throw Error(ExitCode::auth, "no current profile",
                "pick one with authctl switch PROFILE (authctl status lists them)");
  }
  hints.profile = profile_in_use(credentials.current, *credentials.find(credentials.current));
  return credentials.current;
}

void warn_unusable(const store::Credentials& credentials) {
  static std::set<std::string> warned;  // once per profile and run
  for (const auto& [name, skipped] : credentials.skipped) {
    if (credentials.profiles.count(name) || !warned.insert(name).second) continue;
    const std::string shown = text::printable(name);
    term::warn("profile " + shown + " in " + text::printable(credentials.source) +
               " is unusable (" + skipped.reason + "); remove it with authctl logout --local " +
               profile_argument(name));
  }
}

std::pair<std::string, store::Profile> Context::selected_profile() const {
  const auto credentials = open_store().load();
  const std::string name = select_profile(credentials);
  const store::Profile& profile = *credentials.find(name);
  store::require_secret(name, profile);  // a keyring profile's token, read or why not
  return {name, profile};
}

std::pair<std::string, store::Profile> Context::selected_profile(store::Kind kind,
                                                                 const std::string& command) const {
  auto selected = selected_profile();
  require_kind(selected.first, selected.second, kind, command);
  return selected;
}

void Context::require_kind(const std::string& name, const store::Profile& profile, store::Kind kind,
                           const std::string& command) {
  if (profile.kind != kind)
    throw Error(ExitCode::usage,
                command + " works with " + store::kind_name(kind) + " profiles; " + name +
                    " is a " + store::kind_name(profile.kind) + " profile",
                std::string("choose a ") + store::kind_name(kind) + " profile with -p NAME");
}

namespace {

// A CA file decides whom authctl trusts with credentials. Never a hang (a FIFO is an error
// at once). One remembered in a profile is used again later, unattended: like a secret
// file it must be owned by this user or root and writable by no one else, or whoever can
// change it could slip in their own CA.
void check_cacert(const std::string& path, bool remembered) {
  struct stat st {};
  const std::string what = remembered ? "the CA file remembered by this profile," : "--cacert";
  const store::Fd fd(store::open_user_file(path, what, &st));
  if (!fd)
    throw Error(ExitCode::error, "cannot open " + what + " " + path,
                remembered ? "restore it, or log in again with --cacert FILE"
                           : "check the path of --cacert (or AUTHCTL_CA_BUNDLE)");
  if (!remembered) return;
  if (st.st_uid != geteuid() && st.st_uid != 0)
    throw Error(
        ExitCode::error,
        what + " " + path + ", is owned by another user (uid " + std::to_string(st.st_uid) + ")",
        "run: chown $(id -u) '" + path + "', or log in again with --cacert FILE");
  if (st.st_mode & 022)
    throw Error(ExitCode::error, what + " " + path + ", can be changed by other users",
                "run: chmod go-w '" + path + "', or log in again with --cacert FILE");
}

}  // namespace

backends::ConnectionOptions Context::client_options(const std::string& url,
                                                    const std::string& profile_cacert) const {
  backends::ConnectionOptions options;
  options.cacert = global.cacert.empty() ? profile_cacert : global.cacert;
  if (!options.cacert.empty()) check_cacert(options.cacert, global.cacert.empty());
  options.insecure = global.insecure;
  options.timeout_seconds = global.timeout;
  options.trace = trace();
  // The spinner of a slow request: for a person watching stderr (the trace is a log there).
  if (isatty(STDERR_FILENO) == 1 && !global.json && !options.trace)
    options.progress = connecting_hook();
  // Nexterm shows the User-Agent as the session's label: say which machine it is.
  char hostname[256] = "unknown";
  gethostname(hostname, sizeof hostname - 1);
  options.user_agent = std::string("authctl/") + kVersion + " (" + hostname + ")";
  if (global.insecure)
    term::warn(
        "--insecure: TLS certificates are NOT verified; anyone on the path can read "
        "and change this traffic, credentials included");
  if (url.rfind("http://", 0) == 0) {
    auto host = parse_host(url, true);
    if (!host.loopback)
      term::warn("plain http to " + host.host + ": credentials travel unencrypted");
  }
  return options;
}

bool Context::can_prompt() const {
  return why_no_prompt().empty();
}

std::string Context::why_no_prompt() const {
  if (global.no_input) return "prompting is off (--no-input)";
  if (ci_set()) return "prompting is off because CI=true";
  return isatty(STDIN_FILENO) == 1 ? "" : "no terminal is there to ask for it";
}

bool Context::colors() const {
  return !global.no_color && !getenv("NO_COLOR") && isatty(STDERR_FILENO) == 1;
}

bool Context::trace() const {
  if (global.verbose) return true;
  const char* debug = getenv("AUTHCTL_DEBUG");
  return debug && std::string(debug).find("http") != std::string::npos;
}

void Context::print_json(const nlohmann::json& value) const {
  // Flushed: waiting commands print JSON lines that a script reads while we still run.
  std::cout << value.dump() << std::endl;
}

std::unique_ptr<backends::SessionClient> Context::connect(const store::Profile& profile) const {
  return backends::connect_session(profile, client_options(profile.url, profile.cacert));
}

// The servers reached by URL take --cacert / AUTHCTL_CA_BUNDLE (client_options picks it
// first), else the CA of the profile a login re-uses.
backends::Server Context::server(const HostSpec& host) const {
  return backends::Server(client_options(host.origin, relogin_cacert), host.origin);
}

backends::NeuronClient Context::neuron_at(const HostSpec& host) const {
  return backends::NeuronClient(client_options(host.origin, relogin_cacert), host.origin);
}

backends::NextermClient Context::nexterm_at(const HostSpec& host) const {
  return backends::NextermClient(client_options(host.origin, relogin_cacert), host.origin);
}

backends::NeuronClient Context::neuron(const store::Profile& profile) const {
  return backends::neuron_client(profile, client_options(profile.url, profile.cacert));
}

backends::NextermClient Context::nexterm(const store::Profile& profile) const {
  return backends::nexterm_client(profile, client_options(profile.url, profile.cacert));
}

HostSpec Context::host_option(const std::string& text, bool allow_http, const std::string& option) {
  try {
    HostSpec host = parse_host(text, allow_http);
    hints.url_options[host.authority] = option;
    return host;
  } catch (const Error& e) {
    if (e.reason() != Reason::invalid_host) throw;
    throw Error(e.code(), "invalid " + option + " '" + e.facts().subject + "': " + e.facts().detail,
                Reason::invalid_host, e.facts());
  }
}

int64_t parse_duration_or_throw(const std::string& text) {
  auto seconds = timeutil::parse_duration(text);
  if (!seconds)
    throw Error(ExitCode::usage, "invalid duration '" + text + "'",
                "use a number with a unit, such as 90s, 5m or 1h30m");
  return *seconds;
}

}  // namespace authctl::cli
