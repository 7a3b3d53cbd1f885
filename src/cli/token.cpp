// authctl token: print a token valid for at least --min-valid, refreshing first if needed.
// Only the token goes to stdout, so that $(authctl token) is safe in scripts. With --watch
// --sink FILE it keeps FILE fresh instead (cli/token_watch.cpp).
#include <iostream>

#include "backends/session.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/token_watch.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

struct TokenOptions {
  std::string min_valid = "60s";
  CLI::Option* min_valid_option = nullptr;  // given or not: --watch has its own default
  PasswordOptions password;
  bool watch = false;
  std::string sink;
  std::string sink_mode;
};

WatchOptions watch_options(const TokenOptions& options) {
  if (options.sink.empty())
    throw Error(ExitCode::usage, "token --watch needs --sink FILE",
                "authctl token --watch --sink /run/myservice/token");
  if (options.password.from_stdin)
    throw Error(ExitCode::usage, "token --watch cannot take --password-stdin",
                "give --password-file FILE (read again at each new login) or AUTHCTL_PASSWORD");
  WatchOptions watch;
  watch.sink = options.sink;
  watch.password = options.password;
  if (options.min_valid_option->count() > 0)
    watch.min_valid = parse_duration_or_throw(options.min_valid);
  if (!options.sink_mode.empty()) {
    const auto mode = parse_sink_mode(options.sink_mode);
    if (!mode)
      throw Error(ExitCode::usage, "--sink-mode " + options.sink_mode + " is not 0600 or 0640",
                  "give 0640 for a reader in the file's group, else leave it out (0600)");
    watch.sink_mode = *mode;
  }
  return watch;
}

int run_token(Context& context, const TokenOptions& options) {
  if (options.watch) return run_token_watch(context, watch_options(options));
  if (!options.sink.empty() || !options.sink_mode.empty())
    throw Error(ExitCode::usage, "--sink and --sink-mode go with --watch",
                "authctl token --watch --sink FILE");
  const int64_t min_valid = parse_duration_or_throw(options.min_valid);
  std::string name;
  const store::Profile profile = fresh_profile(context, min_valid, options.password, name);
  if (context.global.json) {
    context.print_json(
        {{"profile", name}, {"token", profile.token}, {"expires_at", json_time(profile.expires)}});
  } else {
    std::cout << profile.token << "\n";
  }
  return 0;
}

}  // namespace

void register_token(CLI::App& app, Context& context) {
  auto options = std::make_shared<TokenOptions>();
  auto* cmd = app.add_subcommand("token", "Print a token valid for at least DURATION");
  options->min_valid_option = add_min_valid_option(cmd, options->min_valid);
  add_password_options(cmd, options->password);
  cmd->add_flag("--watch", options->watch,
                "Keep --sink FILE holding a fresh token until SIGTERM (a sidecar; --min-valid "
                "defaults to 5m)");
  cmd->add_option("--sink", options->sink, "The file --watch keeps fresh")->type_name("FILE");
  cmd->add_option("--sink-mode", options->sink_mode,
                  "The mode of the --sink file: 0600 (default) or 0640 (a reader in its group)")
      ->type_name("MODE");
  cmd->callback([&context, options] { context.exit_code = run_token(context, *options); });
}

}  // namespace authctl::cli
