// authctl exec -- CMD [ARGS...]: run CMD with a fresh token in its environment (never on its
// command line), and return CMD's exit code.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/child_process.hpp"
#include "cli/commands.hpp"
#include "cli/exec_keep_fresh.hpp"
#include "cli/password.hpp"
#include "cli/usage_errors.hpp"
#include "cli/validators.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

extern char** environ;

namespace authctl::cli {

namespace {

struct ExecOptions {
  std::string min_valid = "60s";
  CLI::Option* min_valid_option = nullptr;  // given or not: --keep-fresh has its own default
  bool keep_fresh = false;
  PasswordOptions password;
  std::vector<std::string> command;
};

// The account's secrets stay with authctl: the child gets a token, not what made it.
constexpr const char* kAccountSecrets[] = {
    "AUTHCTL_PASSWORD=",           "NEURON_PASSWORD=",   "AUTHCTL_TOTP_SECRET=",
    "AUTHCTL_PASSKEY_PASSPHRASE=", "NEURON_API_SECRET=", "AUTHCTL_PASSKEY_FILE="};
// Replaced by the session's own values (AUTHCTL_TOKEN_FILE by --keep-fresh's, else none: an
// outer exec's file may be another profile's).
constexpr const char* kSessionVariables[] = {
    "AUTHCTL_TOKEN=", "AUTHCTL_HOST=", "AUTHCTL_USER=", "AUTHCTL_KIND=", "AUTHCTL_TOKEN_FILE="};

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

// --keep-fresh: AUTHCTL_TOKEN_FILE kept fresh while CMD runs (cli/exec_keep_fresh). A
// password from stdin is read once, now: CMD may read stdin too.
int run_keep_fresh(Context& context, const ExecOptions& options) {
  KeepFreshRun run;
  run.command = options.command;
  run.program = find_program(options.command[0]);
  if (options.min_valid_option->count() > 0)
    run.min_valid = parse_duration_or_throw(options.min_valid);
  auto from_stdin = std::make_shared<std::optional<std::string>>();
  if (options.password.from_stdin) *from_stdin = password_without_prompt(options.password);
  run.password = [from_stdin, password = options.password] {
    return password.from_stdin ? *from_stdin : password_without_prompt(password);
  };
  run.environment = child_environment;
  return run_exec_keep_fresh(context, run);
}

int run_exec(Context& context, const ExecOptions& options) {
  if (options.command.empty())
    throw Error(ExitCode::usage, "exec needs a command", "authctl exec -- CMD [ARGS...]");
  // Without "--", CMD's own options would be taken as authctl's (exec ls --json).
  if (context.words_after_separator != options.command.size()) {
    const UsageError usage = exec_needs_separator(options.command.front());
    throw Error(ExitCode::usage, usage.what, usage.hint);
  }
  if (options.keep_fresh) return run_keep_fresh(context, options);
  std::string name;
  const store::Profile profile =
      fresh_profile(context, parse_duration_or_throw(options.min_valid), options.password, name);
  std::vector<std::string> env = child_environment(profile);
  // Ctrl-C goes to the whole foreground group: CMD decides, authctl waits for it; signals
  // sent to authctl itself are passed on (ChildProcess).
  ChildProcess child(find_program(options.command[0]), options.command, env);
  for (auto& e : env) std::fill(e.begin(), e.end(), '\0');
  if (!child.started()) {
    std::cerr << "authctl: cannot run " << text::printable(options.command[0]) << ": "
              << strerror(child.error()) << ": check the command name and PATH\n";
    return 127;
  }
  return child.wait();
}

}  // namespace

void register_exec(CLI::App& app, Context& context) {
  auto options = std::make_shared<ExecOptions>();
  auto* cmd = app.add_subcommand("exec", "Run CMD with a fresh token in AUTHCTL_TOKEN");
  options->min_valid_option = add_min_valid_option(cmd, options->min_valid);
  cmd->add_flag("--keep-fresh", options->keep_fresh,
                "Stay CMD's parent and keep AUTHCTL_TOKEN_FILE holding a fresh token while it "
                "runs (--min-valid default 5m there)");
  add_password_options(cmd, options->password);
  // Everything from CMD on belongs to CMD, options included.
  // Everything after "--" is CMD and its arguments, options included (CLI11 passes words
  // after "--" to positionals untouched).
  cmd->add_option("command", options->command, "-- CMD [ARGS...]")->type_name("CMD");
  cmd->callback([&context, options] { context.exit_code = run_exec(context, *options); });
}

}  // namespace authctl::cli
