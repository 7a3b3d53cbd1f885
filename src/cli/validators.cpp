#include "cli/validators.hpp"

#include <string>

#include "core/refresh_rule.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

CLI::Validator duration_validator(int64_t max_seconds, int64_t min_seconds) {
  return CLI::Validator(
      [max_seconds, min_seconds](std::string& value) -> std::string {
        auto seconds = timeutil::parse_duration(value);
        if (!seconds) return "'" + value + "' is not a duration (use e.g. 90s, 5m, 1h30m)";
        if (*seconds > max_seconds)
          return "'" + value + "' is longer than the maximum of " +
                 timeutil::format_duration(max_seconds);
        if (*seconds < min_seconds)
          return "'" + value + "' is shorter than the minimum of " +
                 timeutil::format_duration(min_seconds);
        return {};
      },
      "", "duration");
}

CLI::Option* add_min_valid_option(CLI::App* command, std::string& min_valid) {
  return command
      ->add_option("--min-valid", min_valid,
                   "Refresh first unless the token is valid this long (default 60s, at most " +
                       timeutil::format_duration(refresh_rule::kMaxMinValid) + ")")
      ->check(duration_validator(refresh_rule::kMaxMinValid))
      ->type_name("DURATION");
}

}  // namespace authctl::cli
