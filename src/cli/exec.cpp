// authctl exec -- CMD [ARGS...]: run CMD with a fresh token in its environment (never on its
// command line), and return CMD's exit code.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/launch.hpp"
#include "cli/password.hpp"
#include "cli/usage_errors.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

extern char** environ;

namespace authctl::cli {

namespace {

const AuthctlLaunch* g_launch = nullptr;

}  // namespace

void set_launch(const AuthctlLaunch* launch) {
  g_launch = launch;
}
const AuthctlLaunch* launch() {
  return g_launch;
}

namespace {

struct ExecOptions {
  std::string min_valid = "60s";
  std::vector<std::string> command;
};

// The account's secrets stay with authctl: the child gets a token, not what made it.
constexpr const char* kAccountSecrets[] = {
    "AUTHCTL_PASSWORD=",           "NEURON_PASSWORD=",   "AUTHCTL_TOTP_SECRET=",
    "AUTHCTL_PASSKEY_PASSPHRASE=", "NEURON_API_SECRET=", "AUTHCTL_PASSKEY_FILE="};
// Replaced by the session's own values.
constexpr const char* kSessionVariables[] = {
    "AUTHCTL_TOKEN=", "AUTHCTL_HOST=", "AUTHCTL_USER=", "AUTHCTL_KIND="};

// The child's environment: ours, without the account's secrets, with the session's variables.
std::vector<std::string> child_environment(const store::Profile& profile) {
  auto starts_with_any = [](const std::string& entry, const auto& prefixes) {
    for (const char* prefix : prefixes)
      if (entry.rfind(prefix, 0) == 0) return true;
    return false;
  };
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (starts_with_any(entry, kAccountSecrets) || starts_with_any(entry, kSessionVariables))
      continue;
    env.push_back(entry);
  }
  env.push_back("AUTHCTL_TOKEN=" + profile.token);
  env.push_back("AUTHCTL_HOST=" + profile.url);
  env.push_back("AUTHCTL_USER=" + profile.user);
  env.push_back(std::string("AUTHCTL_KIND=") + store::kind_name(profile.kind));
  return env;
}

// CMD as execve wants it: a name with a slash as given, else the first executable of that
// name on PATH (as posix_spawnp and the shell look). Found before fork, so that the child
// only makes async-signal-safe calls.
std::string find_program(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return name;
  const char* path = getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t colon = dirs.find(':', at);
    if (colon == std::string::npos) colon = dirs.size();
    std::string dir = dirs.substr(at, colon - at);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
    at = colon + 1;
  }
  return "";
}

// In the child, between fork and exec: the umask and soft core limit authctl started with,
// default Ctrl-C handling, then CMD. On failure, errno goes up the pipe.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp,
                             int report_fd) {
  if (const AuthctlLaunch* start = g_launch) {
    umask(start->umask);
    struct rlimit core {};
    if (getrlimit(RLIMIT_CORE, &core) == 0) {
      core.rlim_cur = start->core_soft <= core.rlim_max ? start->core_soft : core.rlim_max;
      setrlimit(RLIMIT_CORE, &core);
    }
  }
  struct sigaction standard {};
  standard.sa_handler = SIG_DFL;
  sigaction(SIGINT, &standard, nullptr);
  sigaction(SIGQUIT, &standard, nullptr);
  execve(program, argv, envp);
  const int error = errno;
  (void)!write(report_fd, &error, sizeof error);
  _exit(127);
}

// Starts CMD; returns its pid, or -1 with the errno of the failed start in `error`.
pid_t start_child(const std::string& program, char* const* argv, char* const* envp, int& error) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    error = errno;
    return -1;
  }
  const pid_t pid = fork();
  if (pid == 0) exec_child(program.c_str(), argv, envp, report[1]);
  close(report[1]);
  error = pid < 0 ? errno : 0;
  if (pid > 0) {
    ssize_t n;
    while ((n = read(report[0], &error, sizeof error)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof error)) {  // exec failed: reap the child
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      close(report[0]);
      return -1;
    }
    error = 0;
  }
  close(report[0]);
  return pid;
}

int run_exec(Context& context, const ExecOptions& options) {
  if (options.command.empty())
    throw Error(ExitCode::usage, "exec needs a command", "authctl exec -- CMD [ARGS...]");
  // Without "--", CMD's own options would be taken as authctl's (exec ls --json).
  if (context.words_after_separator != options.command.size()) {
    const UsageError usage = exec_needs_separator(options.command.front());
    throw Error(ExitCode::usage, usage.what, usage.hint);
  }
  std::string name;
  const store::Profile profile =
      fresh_profile(context, parse_duration_or_throw(options.min_valid), PasswordOptions{}, name);
  std::vector<std::string> env = child_environment(profile);
  std::vector<char*> argv, envp;
  for (const auto& a : options.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string program = find_program(options.command[0]);

  // Ctrl-C goes to the whole foreground group: the child decides; we wait for it.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  int error = ENOENT;
  const pid_t pid = program.empty() ? -1 : start_child(program, argv.data(), envp.data(), error);
  for (auto& e : env) std::fill(e.begin(), e.end(), '\0');
  int status = 0;
  if (pid > 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (pid < 0) {
    std::cerr << "authctl: cannot run " << text::printable(options.command[0]) << ": "
              << strerror(error) << ": check the command name and PATH\n";
    return 127;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

void register_exec(CLI::App& app, Context& context) {
  auto options = std::make_shared<ExecOptions>();
  auto* cmd = app.add_subcommand("exec", "Run CMD with a fresh token in AUTHCTL_TOKEN");
  add_min_valid_option(cmd, options->min_valid);
  // Everything from CMD on belongs to CMD, options included.
  // Everything after "--" is CMD and its arguments, options included (CLI11 passes words
  // after "--" to positionals untouched).
  cmd->add_option("command", options->command, "-- CMD [ARGS...]")->type_name("CMD");
  cmd->callback([&context, options] { context.exit_code = run_exec(context, *options); });
}

}  // namespace authctl::cli
