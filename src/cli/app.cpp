// The command tree: global options and every command. Global options work before or after
// the command (CLI11 fallthrough).
#include "cli/commands.hpp"
#include "cli/help_format.hpp"
#include "version.hpp"

namespace authctl::cli {

std::unique_ptr<CLI::App> build_app(Context& context) {
  auto app = std::make_unique<CLI::App>(
      "authctl: log in to TAG Neuron brokers and Nexterm servers, and keep the sessions",
      "authctl");
  use_help_formatter(*app);  // before the subcommands: they inherit it
  app->set_version_flag("--version", kVersion);
  app->require_subcommand(1);
  auto& g = context.global;
  app->add_option("-p,--profile", g.profile, "Profile to use")
      ->envname("AUTHCTL_PROFILE")
      ->type_name("PROFILE");
  app->add_option("--config-dir", g.config_dir, "Credential store folder")
      ->envname("AUTHCTL_CONFIG_DIR")
      ->type_name("DIR");
  app->add_flag("--json", g.json, "Print results as JSON");
  app->add_flag("-v,--verbose", g.verbose, "Trace HTTP on stderr, secrets redacted");
  app->add_option("--cacert", g.cacert, "Also trust the CA in FILE")
      ->envname("AUTHCTL_CA_BUNDLE")
      ->type_name("FILE");
  app->add_flag("--insecure", g.insecure, "Do not verify TLS certificates (dangerous)");
  app->add_option("--timeout", g.timeout, "Seconds allowed per request (default 30)")
      ->check(CLI::Range(1, 3600).description(""))
      ->type_name("SECONDS");
  app->add_flag("--no-input", g.no_input, "Never prompt (also when CI=true)");
  app->add_flag("--no-color", g.no_color, "No colours (also when NO_COLOR is set)");

  register_login(*app, context);
  register_logout(*app, context);
  register_refresh(*app, context);
  register_whoami(*app, context);
  register_token(*app, context);
  register_status(*app, context);
  register_switch(*app, context);
  register_device_link(*app, context);
  register_sessions(*app, context);
  register_passkey(*app, context);
  register_apikey(*app, context);
  register_account(*app, context);
  register_remote_quick_login(*app, context);
  register_send_message(*app, context);
  register_exec(*app, context);
  register_api(*app, context);
  register_verify_jwt(*app, context);
  register_completion(*app, context);
  register_help(*app, context);
  // Global options may follow the command, at any depth.
  std::function<void(CLI::App*)> fall_through = [&](CLI::App* parent) {
    for (auto* sub : parent->get_subcommands({})) {
      sub->fallthrough();
      sub->footer(
          "Global options (-p PROFILE, --json, -v, --no-input, --cacert, --timeout, ...) "
          "work here too: see authctl --help.");
      fall_through(sub);
    }
  };
  fall_through(app.get());
  return app;
}

}  // namespace authctl::cli
