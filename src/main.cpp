// authctl's entry point: hardens the process, builds the command tree, runs the command,
// and maps every error to the design's exit codes with a one-line message.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  // Secrets pass through this process: keep new files private and never dump core.
  umask(077);
  struct rlimit no_core {
    0, 0
  };
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  authctl::cli::Context context;
  std::unique_ptr<CLI::App> app;
  try {
    app = authctl::cli::build_app(context);
    app->parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app->exit(e);  // --help, --version
    std::cerr << "authctl: " << e.what() << ": see authctl --help\n";
    return static_cast<int>(authctl::ExitCode::usage);  // CLI11 would use 100-127
  } catch (const authctl::Error& e) {
    std::cerr << "authctl: " << e.what();
    if (!e.hint().empty()) std::cerr << ": " << e.hint();
    std::cerr << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "authctl: internal error: " << e.what() << ": please report it\n";
    return static_cast<int>(authctl::ExitCode::error);
  }
}
