#include "store/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

LockFile::LockFile(const std::string& path, int timeout_ms) {
  std::string name;
  const Fd dir = open_parent(path, name);
  fd_ = open_private_at(dir.get(), name, path, O_RDWR | O_CREAT);
  if (!fd_) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

LockFile::LockFile(int dir_fd, const std::string& name, const std::string& path, int timeout_ms)
    : fd_(open_private_at(dir_fd, name, path, O_RDWR | O_CREAT)) {
  if (!fd_) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

void LockFile::wait_for_lock(const std::string& path, int timeout_ms) {
  // Poll with a non-blocking flock so the wait is bounded without signals.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto pause = std::chrono::milliseconds(2);
  while (flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) throw_io("cannot lock", path);
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ExitCode::error,
                  "could not lock " + path + " within " + std::to_string(timeout_ms / 1000) + "s",
                  "another authctl is still running; retry, or find it with: fuser '" + path + "'");
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(25)) pause *= 2;
  }
}

}  // namespace authctl::store
