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

CLI::Option* add_secure_storage_option(CLI::App* command, std::string& storage) {
  // One variable per command: CLI11 2.1.2 applies AUTHCTL_SECURE_STORAGE to the options of
  // the commands that were not run too, so a shared one would take the variable's value
  // over the flag of the command that was. Checked when the command runs (use_secure_storage),
  // not by CLI11, which would refuse a wrong variable on every command.
  return command
      ->add_option("--secure-storage", storage,
                   "Where the token is kept: file (credentials.json, the default) or keyring "
                   "(the desktop's Secret Service)")
      ->envname("AUTHCTL_SECURE_STORAGE")
      ->type_name("file|keyring");
}

void use_secure_storage(Context& context, const std::string& storage) {
  if (!storage.empty() && !store::storage_from_name(storage))
    throw Error(ExitCode::usage,
                "--secure-storage '" + text::printable(storage) + "' is neither file nor keyring",
                "give --secure-storage file or --secure-storage keyring (or set "
                "AUTHCTL_SECURE_STORAGE to one of them)");
  context.secure_storage_name = storage;
}

}  // namespace authctl::cli
