#include "cli/child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "cli/launch.hpp"

namespace authctl::cli {

namespace {

const AuthctlLaunch* g_launch = nullptr;

// In the child, between fork and exec: the umask and soft core limit authctl started with,
// the signals ChildProcess blocks unblocked again, default Ctrl-C handling, then CMD. On failure,
// errno goes up the pipe. Only async-signal-safe calls.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp,
                             const sigset_t& blocked, pid_t parent, int report_fd) {
  // authctl killed in a way it cannot pass on (SIGKILL): CMD gets SIGTERM, not an orphan's
  // life with a token file no one renews. Checked again: the parent may be gone already.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);
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
  sigprocmask(SIG_UNBLOCK, &blocked, nullptr);
  execve(program, argv, envp);
  const int error = errno;
  (void)!write(report_fd, &error, sizeof error);
  _exit(127);
}

// Starts CMD; returns its pid, or -1 with the errno of the failed start in `error`.
pid_t start_child(const std::string& program, char* const* argv, char* const* envp,
                  const sigset_t& blocked, int& error) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    error = errno;
    return -1;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(program.c_str(), argv, envp, blocked, parent, report[1]);
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

std::vector<char*> pointers_to(const std::vector<std::string>& words) {
  std::vector<char*> out;
  for (const auto& w : words) out.push_back(const_cast<char*>(w.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

void set_launch(const AuthctlLaunch* launch) {
  g_launch = launch;
}
const AuthctlLaunch* launch() {
  return g_launch;
}

const std::vector<int>& ChildProcess::forwarded_signals() {
  static const std::vector<int> kSignals = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
                                            SIGUSR1, SIGUSR2, SIGWINCH};
  return kSignals;
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& argv,
                           const std::vector<std::string>& env) {
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int sig : forwarded_signals()) sigaddset(&blocked, sig);
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, &old_mask_);
  std::vector<char*> args = pointers_to(argv), envp = pointers_to(env);
  error_ = ENOENT;
  if (!program.empty()) pid_ = start_child(program, args.data(), envp.data(), blocked, error_);
}

ChildProcess::~ChildProcess() {
  // Signals still pending for authctl (a late SIGINT from the terminal, which CMD got too)
  // are dropped rather than delivered once unblocked.
  sigset_t pending;
  if (sigpending(&pending) == 0)
    for (int sig : forwarded_signals())
      if (sigismember(&pending, sig)) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        const timespec now{0, 0};
        sigtimedwait(&one, nullptr, &now);
      }
  sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

bool ChildProcess::reap() {
  if (exit_status_) return true;
  int status = 0;
  pid_t done;
  while ((done = waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (done != pid_) return false;
  exit_status_ = exit_code_of(status);
  return true;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (!started()) return std::nullopt;
  sigset_t waited;
  sigemptyset(&waited);
  for (int sig : forwarded_signals()) sigaddset(&waited, sig);
  sigaddset(&waited, SIGCHLD);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    siginfo_t info{};
    const int sig = sigtimedwait(&waited, &info, &wait);
    // Sent to authctl itself (kill, sigqueue): CMD's. From the terminal (SI_KERNEL): CMD,
    // in the same foreground group, has it already.
    if (sig > 0 && sig != SIGCHLD && (info.si_code == SI_USER || info.si_code == SI_QUEUE))
      kill(pid_, sig);
  }
  return exit_status_;
}

int ChildProcess::wait() {
  if (!started()) return 127;
  std::optional<int> status;
  while (!(status = wait_for(std::chrono::hours(24)))) {
  }
  return *status;
}

int exit_code_of(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

}  // namespace authctl::cli
