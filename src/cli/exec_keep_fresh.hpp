// authctl exec --keep-fresh -- CMD: CMD runs with AUTHCTL_TOKEN_FILE, a private file that
// always holds a token valid for at least --min-valid, kept fresh (cli/token_keeper) while
// authctl waits for CMD as its parent (cli/child_process). No CLI11 here: exec.cpp parses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/session.hpp"
#include "cli/context.hpp"

namespace authctl::cli {

// The folder of exec's token files: $XDG_RUNTIME_DIR/authctl (a tmpfs that goes at logout)
// when XDG_RUNTIME_DIR is an absolute path, else "run" in the store folder; made 0700.
std::string exec_token_folder(const std::string& store_dir);

// A run's claim on its token file: exec-RUN.lock in the folder, RUN random, held with flock
// for the run's life (the kernel lets go when authctl dies, however it dies). The token file
// is exec-RUN.token beside it.
class ExecRunLock {
 public:
  explicit ExecRunLock(const std::string& folder);
  ~ExecRunLock();  // removes the lock file
  ExecRunLock(const ExecRunLock&) = delete;
  ExecRunLock& operator=(const ExecRunLock&) = delete;
  std::string token_path() const;

 private:
  std::string lock_path() const;
  std::string folder_, run_;
  int fd_ = -1;
};

// Removes the token files (and their temp files) of runs whose lock no one holds: left by an
// authctl that was killed. Only regular files of this user's, reached without following a
// link. Returns how many runs it cleaned up.
int remove_stale_token_files(const std::string& folder);

struct KeepFreshRun {
  std::vector<std::string> command;  // CMD and its arguments
  std::string program;               // CMD's path (exec.cpp finds it on PATH)
  int64_t min_valid = 5 * 60;
  backends::PasswordSource password;  // for a new login once the token expired
  // CMD's environment without the session's variables (exec.cpp builds it).
  std::function<std::vector<std::string>(const store::Profile&)> environment;
};

// Runs CMD to its end, keeping the file fresh meanwhile; returns CMD's exit code (127 when it
// cannot run). When the token cannot be kept fresh, the file is removed, one line on stderr
// says why, and CMD runs on.
int run_exec_keep_fresh(Context& context, const KeepFreshRun& run);

}  // namespace authctl::cli
