// Runs the real authctl binary (no shell) with a controlled environment and stdin, and
// collects its exit code, stdout and stderr. Also a temporary config dir per test.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace e2e {

struct Result {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

struct Invocation {
  std::vector<std::string> args;           // after argv[0]
  std::map<std::string, std::string> env;  // added to a minimal clean environment
  std::string input;                       // written to stdin, then closed
};

// A private environment: HOME, PATH, AUTHCTL_CONFIG_DIR=<dir>, LANG=C.UTF-8 (and the
// sanitizer options of a sanitizer build); nothing else from
// the caller's environment leaks in (no CI, no proxies, no AUTHCTL_*), unless added.
Result run(const Invocation& invocation);

// Starts several invocations at once and waits for all (for races such as single-flight).
std::vector<Result> run_parallel(const std::vector<Invocation>& invocations);

std::string authctl_binary();

// argv and envp for execve / posix_spawn, owning their strings: `program` and `args`; `base`
// with the sanitizer options of a sanitizer build (which tells its findings apart by exit
// code) and then `extra` over it.
class ExecVectors {
 public:
  ExecVectors(const std::string& program, const std::vector<std::string>& args,
              std::map<std::string, std::string> base,
              const std::map<std::string, std::string>& extra);
  ExecVectors(const ExecVectors&) = delete;
  ExecVectors& operator=(const ExecVectors&) = delete;
  char* const* argv() { return argv_.data(); }
  char* const* envp() { return envp_.data(); }

 private:
  std::vector<std::string> argv_storage_, env_storage_;
  std::vector<char*> argv_, envp_;
};

// Runs another program (bash, zbarimg, ...) the same way.
Result run_program(const std::string& program, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env, const std::string& input = {});

// authctl running in the background (waiting commands): read its stdout/stderr as it goes,
// signal it, then wait for it. stdin is closed at start.
class Process {
 public:
  explicit Process(const Invocation& invocation);
  ~Process();  // kills a process still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // The next line of stdout (without '\n'); "" when none came within timeout_ms.
  std::string next_line(int timeout_ms = 10000);
  // Waits until stderr contains `text` (or timeout); returns whether it did.
  bool wait_for_err(const std::string& text, int timeout_ms = 10000);
  const std::string& err_so_far() const { return err_; }
  void signal(int sig);
  Result wait();  // everything read so far is included
  int pid() const { return pid_; }

 private:
  bool pump_once(int timeout_ms);
  int pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  size_t out_pos_ = 0;
  bool waited_ = false;
  Result result_;
};

// A fresh directory under /tmp, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content, int mode = 0600);

}  // namespace e2e
