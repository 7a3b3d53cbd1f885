// CMD as `authctl exec --keep-fresh` runs it: authctl stays its parent and waits for it with
// a timeout (to renew the token file meanwhile), passing on the signals that someone sends
// authctl itself (kill, systemd, a supervisor, sigqueue). Those a terminal sends go to the
// whole foreground process group, CMD included, so they are not passed on again: one Ctrl-C
// is one SIGINT for CMD.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

namespace authctl::cli {

class ChildProcess {
 public:
  // Blocks the signals it passes on, and SIGCHLD, for its lifetime (so that none is lost
  // between two waits), then starts `program` (a path) with `argv` and `env`. In the child
  // they are unblocked again, and SIGINT and SIGQUIT are at their defaults. started() says whether
  // it ran; else error() is the errno of the failed start.
  ChildProcess(const std::string& program, const std::vector<std::string>& argv,
               const std::vector<std::string>& env);
  ~ChildProcess();  // restores the signal mask; CMD, if still running, is left alone
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  int error() const { return error_; }
  pid_t pid() const { return pid_; }

  // Waits up to `timeout` for CMD to end, passing signals on meanwhile. CMD's exit status
  // (128+N when a signal N ended it) once it has ended; nullopt when the time ran out.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // The same without a time limit.
  int wait();

  // SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH.
  static const std::vector<int>& forwarded_signals();

 private:
  // Whether CMD has ended (then exit_status_ holds its status).
  bool reap();

  sigset_t old_mask_{};
  pid_t pid_ = -1;
  int error_ = 0;
  std::optional<int> exit_status_;
};

// The status of a waitpid() as authctl exec returns it: the exit code, or 128+N for signal N.
int exit_code_of(int wait_status);

}  // namespace authctl::cli
