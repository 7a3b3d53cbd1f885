#include "launcher/token_fast.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/refresh_rule.hpp"
#include "core/timeutil.hpp"
#include "store/credentials.hpp"

namespace authctl::launcher {

namespace {

// "--name=value" or "--name value"; advances i past a consumed value.
bool take_value(std::string_view name, int argc, char** argv, int& i, std::string& out) {
  std::string_view arg = argv[i];
  if (arg == name) {
    if (i + 1 >= argc) return false;
    out = argv[++i];
    return true;
  }
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
    out = std::string(arg.substr(name.size() + 1));
    return true;
  }
  return false;
}

}  // namespace

std::optional<int> try_token_cache_hit(int argc, char** argv) {
  bool command = false;
  std::string profile, config_dir, min_valid_text = "60s";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "token" && !command) {
      command = true;
    } else if (take_value("--profile", argc, argv, i, profile) ||
               (arg == "-p" && take_value("-p", argc, argv, i, profile))) {
    } else if (take_value("--config-dir", argc, argv, i, config_dir)) {
    } else if (command && take_value("--min-valid", argc, argv, i, min_valid_text)) {
    } else {
      return std::nullopt;  // anything else is the full program's business
    }
  }
  if (!command) return std::nullopt;
  auto min_valid = timeutil::parse_duration(min_valid_text);
  if (!min_valid || *min_valid > refresh_rule::kMaxMinValid) return std::nullopt;
  if (profile.empty())
    if (const char* env = getenv("AUTHCTL_PROFILE"); env && *env) profile = env;
  try {
    store::Store store(config_dir.empty() ? store::default_config_dir() : config_dir);
    const store::Credentials credentials = store.load();
    const std::string name = profile.empty() ? credentials.current : profile;
    const store::Profile* p = credentials.find(name);
    // A keyring profile's token is not in the file: the full program reads the keyring.
    if (!p || p->secret != store::SecretState::here ||
        !refresh_rule::fresh_enough(p->expires, p->clock_offset, *min_valid, timeutil::now()))
      return std::nullopt;
    std::string line = p->token + "\n";
    for (std::string_view rest = line; !rest.empty();) {
      ssize_t n = write(STDOUT_FILENO, rest.data(), rest.size());
      if (n <= 0) return 1;
      rest.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
  } catch (...) {
    return std::nullopt;  // the full program reports it properly
  }
}

}  // namespace authctl::launcher
