// authctl on a real pty that a test drives step by step: read until a text shows up, type,
// resize the terminal (the kernel sends SIGWINCH as for a person's resize), Ctrl-C, wait.
#pragma once

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

namespace e2e {

class PtySession {
 public:
  // A pty of `columns` x `rows` (0 x 0: the kernel's default, which says no size).
  PtySession(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
             unsigned short columns, unsigned short rows) {
    ExecVectors vectors(authctl_binary(), args,
                        {{"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}, {"TERM", "dumb"}}, env);
    winsize size{rows, columns, 0, 0};
    pid_ = forkpty(&master_, nullptr, nullptr, columns || rows ? &size : nullptr);
    if (pid_ == 0) {
      execve(vectors.argv()[0], vectors.argv(), vectors.envp());
      _exit(127);
    }
  }
  PtySession(const PtySession&) = delete;
  PtySession& operator=(const PtySession&) = delete;
  ~PtySession() {
    if (pid_ > 0 && exit_code_ < 0) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (master_ >= 0) close(master_);
  }

  // Reads until `text` shows up after `from` (a screen offset); false when it did not
  // within `timeout` or the program closed the terminal.
  bool read_until(const std::string& text, size_t from = 0,
                  std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (screen_.find(text, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= deadline || !read_some(200)) return false;
    }
    return true;
  }
  // Reads for `duration`, whatever comes.
  void read_for(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) read_some(50);
  }
  void resize(unsigned short columns, unsigned short rows) {
    winsize size{rows, columns, 0, 0};
    ioctl(master_, TIOCSWINSZ, &size);  // and SIGWINCH to the foreground process group
  }
  void type(const std::string& keys) { (void)!write(master_, keys.data(), keys.size()); }
  // Reads what is left until the program ends; its exit status (128+N for signal N).
  int wait() {
    if (exit_code_ >= 0) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && read_some(200)) {
    }
    close(master_);  // a program still running gets SIGHUP
    master_ = -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }
  const std::string& screen() const { return screen_; }

 private:
  // false once the terminal is closed (EIO: the program ended).
  bool read_some(int poll_ms) {
    pollfd p{master_, POLLIN, 0};
    if (poll(&p, 1, poll_ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;
    screen_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string screen_;
};

}  // namespace e2e
