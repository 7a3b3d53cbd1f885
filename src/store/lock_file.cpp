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
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw_io("cannot open the folder of", path);
  try {
    fd_ = open_private_at(dir_fd, path.substr(slash + 1), path, O_RDWR | O_CREAT);
  } catch (...) {
    close(dir_fd);
    throw;
  }
  close(dir_fd);
  if (fd_ < 0) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

LockFile::LockFile(int dir_fd, const std::string& name, const std::string& path, int timeout_ms) {
  fd_ = open_private_at(dir_fd, name, path, O_RDWR | O_CREAT);
  if (fd_ < 0) throw_io("cannot open lock file", path);
  wait_for_lock(path, timeout_ms);
}

void LockFile::wait_for_lock(const std::string& path, int timeout_ms) {
  // Poll with a non-blocking flock so the wait is bounded without signals.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto pause = std::chrono::milliseconds(2);
  while (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved = errno;
      close(fd_);
      fd_ = -1;
      errno = saved;
      throw_io("cannot lock", path);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      close(fd_);
      fd_ = -1;
      throw Error(ExitCode::error,
                  "could not lock " + path + " within " + std::to_string(timeout_ms / 1000) + "s",
                  "another authctl is still running; retry, or find it with: fuser '" + path + "'");
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(25)) pause *= 2;
  }
}

LockFile::~LockFile() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace authctl::store
