// The full authctl program, built as libauthctl-app.so and loaded by the launcher
// (src/launcher/) only when a command needs more than the token cache hit: this is where
// CLI11, libcurl and OpenSSL come in. Builds the command tree, runs the command, and maps
// every error to the design's exit codes with a one-line message.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/launch.hpp"
#include "cli/usage_errors.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

// `launch`: what the launcher saw at start (umask, core limit), for exec's child.
extern "C" __attribute__((visibility("default"))) int authctl_app_main(
    int argc, char** argv, const AuthctlLaunch* launch) {
  authctl::cli::set_launch(launch && launch->size >= sizeof(AuthctlLaunch) ? launch : nullptr);
  authctl::cli::Context context;
  std::unique_ptr<CLI::App> app;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--") {
      context.words_after_separator = static_cast<size_t>(argc - i - 1);
      break;
    }
  try {
    app = authctl::cli::build_app(context);
    app->parse(argc, argv);
    return context.exit_code;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app->exit(e);  // --help, --version
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto usage = authctl::cli::explain_parse_error(*app, e, args);
    std::cerr << "authctl: " << authctl::text::printable(usage.what) << ": "
              << authctl::text::printable(usage.hint) << "\n";
    return static_cast<int>(authctl::ExitCode::usage);  // CLI11 would use 100-127
  } catch (const authctl::Error& e) {
    // Messages quote servers (every error answer) and the store: shown escaped.
    std::cerr << authctl::cli::error_line(e, context.hints) << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "authctl: internal error: " << authctl::text::printable(e.what())
              << ": please report it\n";
    return static_cast<int>(authctl::ExitCode::error);
  }
}
