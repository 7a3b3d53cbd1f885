#include "cli/exec_keep_fresh.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/child_process.hpp"
#include "cli/hints.hpp"
#include "cli/token_keeper.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "store/token_file.hpp"

namespace authctl::cli {

namespace {

// "exec-PID.token": the PID, else 0.
pid_t pid_of_token_file(const std::string& name) {
  const std::string prefix = "exec-", suffix = ".token";
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::atol(digits.c_str()));
}

// Makes `folder` 0700 when it is missing (its parent is the user's, checked by TokenFile).
void make_private_folder(const std::string& folder) {
  if (mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ExitCode::error, "cannot make " + folder + ": " + std::strerror(errno),
                Reason::file_io, ErrorFacts{folder, {}, std::nullopt});
}

}  // namespace

std::string exec_token_folder(const std::string& store_dir) {
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  const std::string folder =
      runtime && runtime[0] == '/' ? std::string(runtime) + "/authctl" : store_dir + "/run";
  make_private_folder(folder);
  return folder;
}

int remove_stale_token_files(const std::string& folder) {
  DIR* dir = opendir(folder.c_str());
  if (!dir) return 0;
  int removed = 0;
  while (const dirent* entry = readdir(dir)) {
    const pid_t pid = pid_of_token_file(entry->d_name);
    // EPERM: a process of that PID runs (another user's): not ours to judge.
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH &&
        unlink((folder + "/" + entry->d_name).c_str()) == 0)
      ++removed;
  }
  closedir(dir);
  return removed;
}

namespace {

// Waits for CMD, renewing the file whenever the keeper says; once it cannot be kept fresh,
// the file goes, one line says why, and CMD runs on without it.
int keep_fresh_until_done(Context& context, ChildProcess& child, TokenKeeper& keeper,
                          store::TokenFile& file) {
  for (;;) {
    const int64_t ms = keeper.wait_ms();
    const auto status = child.wait_for(std::chrono::milliseconds(ms < 0 ? 24 * 3600 * 1000 : ms));
    if (status) return *status;
    try {
      keeper.tick();
    } catch (const Error& e) {
      file.remove();
      std::cerr << error_line(e, context.hints) << " (" << file.path()
                << " removed; the command runs on)\n";
      return child.wait();
    }
  }
}

}  // namespace

int run_exec_keep_fresh(Context& context, const KeepFreshRun& run) {
  std::string name;
  const store::Profile first = first_kept_token(context, run.min_valid, run.password, name);
  const std::string folder = exec_token_folder(context.open_store().dir());
  remove_stale_token_files(folder);
  store::TokenFile file(folder + "/exec-" + std::to_string(getpid()) + ".token");
  TokenKeeper keeper(context, name, first, run.min_valid, run.password, file, nullptr);
  keeper.start();
  std::vector<std::string> env = run.environment(first);
  env.push_back("AUTHCTL_TOKEN_FILE=" + file.path());
  ChildProcess child(run.program, run.command, env);
  for (auto& e : env) std::fill(e.begin(), e.end(), '\0');
  if (!child.started()) {
    std::cerr << "authctl: cannot run " << text::printable(run.command[0]) << ": "
              << std::strerror(child.error()) << ": check the command name and PATH\n";
    return 127;
  }
  return keep_fresh_until_done(context, child, keeper, file);
}

}  // namespace authctl::cli
