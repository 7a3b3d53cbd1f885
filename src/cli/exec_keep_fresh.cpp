#include "cli/exec_keep_fresh.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
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
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "store/credentials.hpp"
#include "store/file_checks.hpp"
#include "store/token_file.hpp"

namespace authctl::cli {

namespace {

constexpr const char* kLockSuffix = ".lock";

// Makes `folder` 0700 when it is missing, and checks it is a folder of this user's that no
// one else can read or change (not a symlink: it could lead to another user's files).
void make_private_folder(const std::string& folder) {
  if (mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ExitCode::error, "cannot make " + folder + ": " + std::strerror(errno),
                Reason::file_io, ErrorFacts{folder, {}, std::nullopt});
  struct stat st {};
  if (lstat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 077) != 0)
    throw Error(ExitCode::error,
                folder + " is not a private folder of this user's (0700, no symlink)",
                Reason::file_unexpected, ErrorFacts{folder, {}, std::nullopt});
}

// The NAME of "exec-NAME.lock", else "".
std::string run_of_lock(const std::string& entry) {
  const std::string prefix = "exec-", suffix = kLockSuffix;
  if (entry.size() <= prefix.size() + suffix.size() || entry.rfind(prefix, 0) != 0 ||
      entry.compare(entry.size() - suffix.size(), suffix.size(), suffix) != 0)
    return {};
  return entry.substr(prefix.size(), entry.size() - prefix.size() - suffix.size());
}

// Whether the lock file `entry` in `dir_fd` is a regular file of ours that no run holds.
bool lock_abandoned(int dir_fd, const std::string& entry) {
  const int fd = openat(dir_fd, entry.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  const bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
  const bool free = ours && flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);
  return free;
}

}  // namespace

std::string exec_token_folder(const std::string& store_dir) {
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  struct stat st {};
  // Set but missing (su, cron, some containers): the store folder instead.
  const bool usable =
      runtime && runtime[0] == '/' && stat(runtime, &st) == 0 && S_ISDIR(st.st_mode);
  const std::string folder = usable ? std::string(runtime) + "/authctl" : store_dir + "/run";
  make_private_folder(folder);
  return folder;
}

int remove_stale_token_files(const std::string& folder) {
  const int dir_fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) return 0;
  int removed = 0;
  for (const std::string& entry : store::list_names(dir_fd, folder)) {
    const std::string run = run_of_lock(entry);
    if (run.empty() || !lock_abandoned(dir_fd, entry)) continue;
    const std::string token = "exec-" + run + ".token";
    for (const std::string& other : store::list_names(dir_fd, folder))
      if (other == token || store::is_temp_of(other, token)) unlinkat(dir_fd, other.c_str(), 0);
    unlinkat(dir_fd, entry.c_str(), 0);  // last: while it is there, the run counts as one
    ++removed;
  }
  close(dir_fd);
  return removed;
}

ExecRunLock::ExecRunLock(const std::string& folder)
    : folder_(folder), run_(crypto::base64url_encode(crypto::random_bytes(9))) {
  // Locked under a temp name, then renamed: a lock file is never visible unheld, so no
  // other run's clean-up can take it for an abandoned one.
  const std::string temp = folder_ + "/.exec-" + run_ + ".new";
  fd_ = open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0 || flock(fd_, LOCK_EX) != 0 || rename(temp.c_str(), lock_path().c_str()) != 0)
    throw Error(ExitCode::error,
                "cannot make a lock file in " + folder_ + ": " + std::strerror(errno),
                Reason::file_io, ErrorFacts{folder_, {}, std::nullopt});
}

ExecRunLock::~ExecRunLock() {
  unlink(lock_path().c_str());
  if (fd_ >= 0) close(fd_);
}

std::string ExecRunLock::lock_path() const {
  return folder_ + "/exec-" + run_ + kLockSuffix;
}

std::string ExecRunLock::token_path() const {
  return folder_ + "/exec-" + run_ + ".token";
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
    } catch (...) {  // anything else: the file goes all the same, and CMD is waited for
      file.remove();
      std::cerr << "authctl: keeping the token fresh failed (" << file.path()
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
  const ExecRunLock lock(folder);  // held until CMD's file is gone (declared before it)
  store::TokenFile file(lock.token_path());
  remove_stale_token_files(folder);
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
