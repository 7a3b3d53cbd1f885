// authctl refresh: exchange the Neuron token for a new one now.
#include <iostream>

#include "backends/session.hpp"
#include "backends/session_client.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "core/error.hpp"
#include "core/refresh_rule.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

struct RefreshOptions {
  PasswordOptions password;
};

void run_refresh(Context& context, const RefreshOptions& options) {
  store::Store store = context.open_store();
  const auto credentials = store.load();
  const std::string name = context.select_profile(credentials);
  if (!backends::refreshable(*credentials.find(name))) {
    if (context.global.json) {  // null: does not expire
      context.print_json({{"profile", name}, {"expires_at", nullptr}});
      return;
    }
    std::cerr << "Nexterm sessions and API keys do not expire: nothing to refresh (profile "
              << text::printable(name) << ")\n";
    return;
  }
  auto result = backends::ensure_valid(
      store, name, /*min_valid=*/60,
      [&](const store::Profile& p) { return context.client_options(p.url, p.cacert); },
      [&] { return password_without_prompt(options.password); }, /*force=*/true);
  const auto& p = result.profile;
  if (context.global.json) {
    context.print_json({{"profile", name}, {"expires_at", json_time(p.expires)}});
    return;
  }
  std::cerr << "Refreshed " << text::printable(name) << ": token expires "
            << timeutil::format_relative(p.expires.value_or(0), timeutil::now() + p.clock_offset)
            << "\n";
}

}  // namespace

void register_refresh(CLI::App& app, Context& context) {
  auto options = std::make_shared<RefreshOptions>();
  auto* cmd = app.add_subcommand("refresh", "Exchange the token for a new one (Neuron)");
  add_password_options(cmd, options->password);
  cmd->callback([&context, options] { run_refresh(context, *options); });
}

}  // namespace authctl::cli
