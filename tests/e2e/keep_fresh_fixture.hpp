// The fixture of the keep-fresh tests (token --watch, exec --keep-fresh): a Neuron with short
// tokens whose clock and authctl's move together (the test hook AUTHCTL_TEST_CLOCK_FILE), and
// AUTHCTL_TEST_WAKE_MS making authctl look at its clock every 50 ms instead of every 30 s.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "fixture.hpp"

namespace e2e {

struct WatchFixture : NeuronFixture {
  std::string run_dir = tmp.path() + "/run";
  std::string sink = run_dir + "/token";
  std::string clock_file = tmp.path() + "/clock";
  int64_t skew = 0;

  WatchFixture() {
    std::filesystem::create_directory(run_dir);
    chmod(run_dir.c_str(), 0700);
    write_file(clock_file, "0");
    env["AUTHCTL_TEST_CLOCK_FILE"] = clock_file;
    env["AUTHCTL_TEST_WAKE_MS"] = "50";
  }

  // Moves the broker's clock and authctl's by `seconds`.
  void advance(int64_t seconds) {
    broker.advance_clock(seconds);
    skew += seconds;
    write_file(clock_file + ".new", std::to_string(skew));
    std::filesystem::rename(clock_file + ".new", clock_file);
  }

  std::unique_ptr<Process> watch(std::vector<std::string> extra = {},
                                 std::map<std::string, std::string> extra_env = {},
                                 const std::string& file = {}) {
    std::vector<std::string> args{"token",       "--watch", "--sink", file.empty() ? sink : file,
                                  "--min-valid", "10s",     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    Invocation inv{args, env, ""};
    for (auto& [k, v] : extra_env) inv.env[k] = v;
    return std::make_unique<Process>(inv);
  }

  std::string stored_token() const { return store()["profiles"][profile_name()]["token"]; }
};

inline bool exists(const std::string& path) {
  return std::filesystem::exists(std::filesystem::symlink_status(path));
}

inline mode_t mode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

// Waits (up to 10 s) until `check` holds.
inline bool eventually(const std::function<bool()>& check) {
  for (int i = 0; i < 200; ++i) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return check();
}

}  // namespace e2e
