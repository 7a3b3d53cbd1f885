#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "core/error.hpp"
#include "core/host.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"

#ifndef AUTHCTL_VERSION
#define AUTHCTL_VERSION "0.0.0"
#endif

namespace authctl::cli {

store::Store Context::open_store() const {
  // AUTHCTL_LOCK_TIMEOUT (seconds, default 30) bounds the wait for another authctl.
  int timeout_ms = 30000;
  if (const char* t = getenv("AUTHCTL_LOCK_TIMEOUT"); t && *t) {
    auto seconds = timeutil::parse_duration(t);
    if (!seconds)
      throw Error(ExitCode::usage,
                  "AUTHCTL_LOCK_TIMEOUT='" + std::string(t) + "' is not a duration",
                  "use e.g. 30 or 2m");
    timeout_ms = static_cast<int>(*seconds * 1000);
  }
  return store::Store(global.config_dir.empty() ? store::default_config_dir() : global.config_dir,
                      timeout_ms);
}

std::string Context::select_profile(const store::Credentials& credentials) const {
  if (!global.profile.empty()) {
    if (!credentials.find(global.profile))
      throw Error(ExitCode::auth, "no profile named " + global.profile,
                  "run authctl status to see your profiles, or authctl login");
    return global.profile;
  }
  if (credentials.current.empty() || !credentials.find(credentials.current)) {
    if (credentials.profiles.empty())
      throw Error(ExitCode::auth, "not logged in", "run authctl login --host HOST -u USER");
    throw Error(ExitCode::auth, "no current profile",
                "pick one with authctl switch PROFILE (authctl status lists them)");
  }
  return credentials.current;
}

net::ClientOptions Context::client_options(const std::string& url,
                                           const std::string& profile_cacert) const {
  net::ClientOptions options;
  options.cacert = global.cacert.empty() ? profile_cacert : global.cacert;
  options.insecure = global.insecure;
  options.timeout_seconds = global.timeout;
  options.trace = trace();
  options.user_agent = std::string("authctl/") + AUTHCTL_VERSION;
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
  if (global.no_input) return false;
  if (const char* ci = getenv("CI"); ci && std::string(ci) == "true") return false;
  return isatty(STDIN_FILENO) == 1;
}

bool Context::trace() const {
  if (global.verbose) return true;
  const char* debug = getenv("AUTHCTL_DEBUG");
  return debug && std::string(debug).find("http") != std::string::npos;
}

void Context::print_json(const nlohmann::json& value) const {
  std::cout << value.dump() << "\n";
}

int64_t parse_duration_or_throw(const std::string& text) {
  auto seconds = timeutil::parse_duration(text);
  if (!seconds)
    throw Error(ExitCode::usage, "invalid duration '" + text + "'",
                "use a number with a unit, such as 90s, 5m or 1h30m");
  return *seconds;
}

CLI::Validator duration_validator(int64_t max_seconds) {
  return CLI::Validator(
      [max_seconds](std::string& value) -> std::string {
        auto seconds = timeutil::parse_duration(value);
        if (!seconds) return "'" + value + "' is not a duration (use e.g. 90s, 5m, 1h30m)";
        if (*seconds > max_seconds)
          return "'" + value + "' is longer than the maximum of " +
                 timeutil::format_duration(max_seconds);
        return {};
      },
      "DURATION", "duration");
}

}  // namespace authctl::cli
