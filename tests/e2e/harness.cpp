#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace e2e {

std::string authctl_binary() {
  return AUTHCTL_BINARY;
}

ExecVectors::ExecVectors(const std::string& program, const std::vector<std::string>& args,
                         std::map<std::string, std::string> base,
                         const std::map<std::string, std::string>& extra) {
  argv_storage_.push_back(program);
  argv_storage_.insert(argv_storage_.end(), args.begin(), args.end());
  // A sanitizer build (scripts/test --sanitize) tells its findings apart by exit code.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* value = getenv(name)) base[name] = value;
  for (const auto& [k, v] : extra) base[k] = v;
  for (const auto& [k, v] : base) env_storage_.push_back(k + "=" + v);
  for (auto& a : argv_storage_) argv_.push_back(a.data());
  argv_.push_back(nullptr);
  for (auto& e : env_storage_) envp_.push_back(e.data());
  envp_.push_back(nullptr);
}

namespace {

struct Child {
  pid_t pid = -1;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  std::string input;
  size_t input_written = 0;
  Result result;
};

// A child that exits before reading all of its stdin must not kill the test with SIGPIPE
// (seen under ctest -j2): the harness ignores SIGPIPE and gets EPIPE from write() instead.
// The children get SIGPIPE back at its default, so authctl runs as it would from a shell.
void ignore_sigpipe_once() {
  static const bool ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)ignored;
}

void start(const std::string& program, const Invocation& inv, Child& child) {
  ignore_sigpipe_once();
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);

  ExecVectors vectors(
      program, inv.args,
      {{"HOME", "/nonexistent-home"}, {"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}}, inv.env);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  int rc =
      posix_spawn(&child.pid, vectors.argv()[0], &actions, &attr, vectors.argv(), vectors.envp());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + strerror(rc));
  child.in_fd = in[1];
  child.out_fd = out[0];
  child.err_fd = err[0];
  child.input = inv.input;
  fcntl(child.in_fd, F_SETFL, O_NONBLOCK);
  if (child.input.empty()) {
    close(child.in_fd);
    child.in_fd = -1;
  }
}

// Pumps stdin/stdout/stderr of all children until every pipe is closed.
void pump(std::vector<Child>& children) {
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::pair<Child*, int>> owners;  // which child, which stream (0 in, 1 out, 2 err)
    for (auto& c : children) {
      if (c.in_fd >= 0) fds.push_back({c.in_fd, POLLOUT, 0}), owners.push_back({&c, 0});
      if (c.out_fd >= 0) fds.push_back({c.out_fd, POLLIN, 0}), owners.push_back({&c, 1});
      if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0}), owners.push_back({&c, 2});
    }
    if (fds.empty()) return;
    if (poll(fds.data(), fds.size(), 60000) <= 0) throw std::runtime_error("child hung for 60 s");
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      Child& c = *owners[i].first;
      int stream = owners[i].second;
      if (stream == 0) {
        ssize_t n =
            write(c.in_fd, c.input.data() + c.input_written, c.input.size() - c.input_written);
        if (n > 0) c.input_written += static_cast<size_t>(n);
        if (n < 0 || c.input_written == c.input.size()) {
          close(c.in_fd);
          c.in_fd = -1;
        }
        continue;
      }
      int& fd = stream == 1 ? c.out_fd : c.err_fd;
      std::string& sink = stream == 1 ? c.result.out : c.result.err;
      char buf[65536];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        sink.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fd);
        fd = -1;
      }
    }
  }
}

void reap(Child& c) {
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::vector<Result> run_parallel(const std::vector<Invocation>& invocations) {
  std::vector<Child> children(invocations.size());
  for (size_t i = 0; i < invocations.size(); ++i)
    start(authctl_binary(), invocations[i], children[i]);
  pump(children);
  std::vector<Result> results;
  for (auto& c : children) {
    reap(c);
    results.push_back(std::move(c.result));
  }
  return results;
}

Result run(const Invocation& invocation) {
  return run_parallel({invocation}).front();
}

Result run_program(const std::string& program, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env, const std::string& input) {
  std::vector<Child> children(1);
  start(program, Invocation{args, env, input}, children[0]);
  pump(children);
  reap(children[0]);
  return children[0].result;
}

Process::Process(const Invocation& invocation) {
  Child child;
  start(authctl_binary(), invocation, child);
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
  if (child.in_fd >= 0) close(child.in_fd);
}

Process::~Process() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    wait();
  }
}

bool Process::pump_once(int timeout_ms) {
  std::vector<pollfd> fds;
  if (out_fd_ >= 0) fds.push_back({out_fd_, POLLIN, 0});
  if (err_fd_ >= 0) fds.push_back({err_fd_, POLLIN, 0});
  if (fds.empty() || poll(fds.data(), fds.size(), timeout_ms) <= 0) return false;
  for (auto& p : fds) {
    if (!p.revents) continue;
    int& fd = p.fd == out_fd_ ? out_fd_ : err_fd_;
    std::string& sink = p.fd == out_fd_ ? out_ : err_;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close(fd);
      fd = -1;
    }
  }
  return true;
}

std::string Process::next_line(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto nl = out_.find('\n', out_pos_);
    if (nl != std::string::npos) {
      std::string line = out_.substr(out_pos_, nl - out_pos_);
      out_pos_ = nl + 1;
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return "";
    pump_once(static_cast<int>(left.count()));
  }
}

bool Process::wait_for_err(const std::string& text, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (err_.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return false;
    pump_once(static_cast<int>(left.count()));
  }
  return true;
}

void Process::signal(int sig) {
  kill(pid_, sig);
}

Result Process::wait() {
  if (waited_) return result_;
  while (out_fd_ >= 0 || err_fd_ >= 0) pump_once(60000);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  waited_ = true;
  result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result_.out = out_;
  result_.err = err_;
  return result_;
}

TempDir::TempDir() {
  char templ[] = "/tmp/authctl-e2e-XXXXXX";
  if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content, int mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

}  // namespace e2e
