// authctl exec -- CMD [ARGS...]: run CMD with a fresh token in its environment (never on its
// command line), and return CMD's exit code.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "core/error.hpp"
#include "core/refresh_rule.hpp"

extern char** environ;

namespace authctl::cli {

namespace {

struct ExecOptions {
  std::string min_valid = "60s";
  std::vector<std::string> command;
};

int run_exec(Context& context, const ExecOptions& options) {
  if (options.command.empty())
    throw Error(ExitCode::usage, "exec needs a command", "authctl exec -- CMD [ARGS...]");
  std::string name;
  const store::Profile profile =
      fresh_profile(context, parse_duration_or_throw(options.min_valid), PasswordOptions{}, name);
  // The child's environment: ours, with the session's variables replaced.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.rfind("AUTHCTL_TOKEN=", 0) == 0 || entry.rfind("AUTHCTL_HOST=", 0) == 0 ||
        entry.rfind("AUTHCTL_USER=", 0) == 0 || entry.rfind("AUTHCTL_KIND=", 0) == 0)
      continue;
    env.push_back(entry);
  }
  env.push_back("AUTHCTL_TOKEN=" + profile.token);
  env.push_back("AUTHCTL_HOST=" + profile.url);
  env.push_back("AUTHCTL_USER=" + profile.user);
  env.push_back("AUTHCTL_KIND=" + profile.kind);
  std::vector<char*> argv, envp;
  for (const auto& a : options.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  // Ctrl-C goes to the whole foreground group: the child decides; we wait for it.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  for (auto& e : env) std::fill(e.begin(), e.end(), '\0');
  if (rc != 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    std::cerr << "authctl: cannot run " << options.command[0] << ": " << strerror(rc)
              << ": check the command name and PATH\n";
    return 127;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

void register_exec(CLI::App& app, Context& context) {
  auto options = std::make_shared<ExecOptions>();
  auto* cmd = app.add_subcommand("exec", "Run CMD with a fresh token in AUTHCTL_TOKEN");
  cmd->add_option("--min-valid", options->min_valid,
                  "Refresh first unless the token is valid this long (default 60s)")
      ->check(duration_validator(refresh_rule::kMaxMinValid))
      ->type_name("DURATION");
  // Everything from CMD on belongs to CMD, options included.
  // Everything after "--" is CMD and its arguments, options included (CLI11 passes words
  // after "--" to positionals untouched).
  cmd->add_option("command", options->command, "-- CMD [ARGS...]")->type_name("CMD");
  cmd->callback([&context, options] { context.exit_code = run_exec(context, *options); });
}

}  // namespace authctl::cli
