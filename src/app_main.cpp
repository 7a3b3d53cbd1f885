// The full authctl program, built as libauthctl-app.so and loaded by the launcher
// (src/launcher/) only when a command needs more than the token cache hit: this is where
// CLI11, libcurl and OpenSSL come in. Builds the command tree, runs the command, and maps
// every error to the design's exit codes with a one-line message.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/launch.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

// `launch`: what the launcher saw at start (umask, core limit), for exec's child.
extern "C" __attribute__((visibility("default"))) int authctl_app_main(
    int argc, char** argv, const AuthctlLaunch* launch) {
  authctl::cli::set_launch(launch && launch->size >= sizeof(AuthctlLaunch) ? launch : nullptr);
  authctl::cli::Context context;
  std::unique_ptr<CLI::App> app;
  try {
    app = authctl::cli::build_app(context);
    app->parse(argc, argv);
    return context.exit_code;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app->exit(e);  // --help, --version
    // Point at the help of the command that was being parsed: "authctl sessions kill --help".
    std::string command = "authctl";
    for (const CLI::App* at = app.get(); at && !at->get_subcommands().empty();) {
      at = at->get_subcommands().front();
      command += " " + at->get_name();
    }
    std::string what = e.what();
    // CLI11 says "Could not convert: id = abc": say which value is wrong for what.
    const std::string convert = "Could not convert: ";
    if (what.rfind(convert, 0) == 0 && what.find(" = ") != std::string::npos) {
      const size_t eq = what.find(" = ");
      what = "'" + what.substr(eq + 3) + "' is not a valid " +
             what.substr(convert.size(), eq - convert.size());
    }
    if (!what.empty() && what[0] >= 'A' && what[0] <= 'Z' && what.compare(0, 2, "ID") != 0)
      what[0] = static_cast<char>(what[0] - 'A' + 'a');  // "A subcommand is required"
    if (command == "authctl") {
      // "A subcommand is required" also when the word given is not a command: name it.
      for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const CLI::Option* opt = arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos
                                     ? app->get_option_no_throw(arg)
                                 : arg.size() == 2 && arg[0] == '-' ? app->get_option_no_throw(arg)
                                                                    : nullptr;
        if (opt && opt->get_type_size() != 0) {
          ++i;  // its value
        } else if (arg.empty() || arg[0] != '-') {
          what = "unknown command '" + arg + "'";
          break;
        }
      }
    }
    std::cerr << "authctl: " << authctl::text::printable(what) << ": see " << command
              << " --help\n";
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
