// authctl token: print a token valid for at least --min-valid, refreshing first if needed.
// Only the token goes to stdout, so that $(authctl token) is safe in scripts.
#include <iostream>

#include "backends/session.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

struct TokenOptions {
  std::string min_valid = "60s";
  PasswordOptions password;
};

void run_token(Context& context, const TokenOptions& options) {
  const int64_t min_valid = parse_duration_or_throw(options.min_valid);
  std::string name;
  const store::Profile profile = fresh_profile(context, min_valid, options.password, name);
  if (context.global.json) {
    context.print_json(
        {{"profile", name}, {"token", profile.token}, {"expires_at", json_time(profile.expires)}});
  } else {
    std::cout << profile.token << "\n";
  }
}

}  // namespace

void register_token(CLI::App& app, Context& context) {
  auto options = std::make_shared<TokenOptions>();
  auto* cmd = app.add_subcommand("token", "Print a token valid for at least DURATION");
  add_min_valid_option(cmd, options->min_valid);
  add_password_options(cmd, options->password);
  cmd->callback([&context, options] { run_token(context, *options); });
}

}  // namespace authctl::cli
