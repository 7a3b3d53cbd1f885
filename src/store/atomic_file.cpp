#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/error.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

namespace {

void block_signals(sigset_t& saved) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigprocmask(SIG_BLOCK, &block, &saved);
}

// Six characters of mkstemp's alphabet, from a random source that cannot repeat across
// processes started in the same second (getrandom).
std::string temp_suffix() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[kTempSuffixLength];
  if (getentropy(bytes, sizeof bytes) != 0) throw_io("cannot get random bytes for", "a temp file");
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % 62];
  return out;
}

}  // namespace

AtomicFile::AtomicFile(const std::string& target_path) : path_(target_path) {
  const auto slash = target_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : target_path.substr(0, slash);
  name_ = target_path.substr(slash + 1);
  block_signals(saved_mask_);
  dir_fd_ = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) {
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    throw_io("cannot open the folder of", target_path);
  }
  create_temp();
}

AtomicFile::AtomicFile(int dir_fd, const std::string& name, const std::string& path)
    : name_(name), path_(path) {
  block_signals(saved_mask_);
  dir_fd_ = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dir_fd_ < 0) {
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    throw_io("cannot open the folder of", path);
  }
  create_temp();
}

void AtomicFile::create_temp() {
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    std::string candidate;
    try {
      candidate = name_ + kTempInfix + temp_suffix();
    } catch (...) {
      close(dir_fd_);
      sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
      throw;
    }
    fd_ = openat(dir_fd_, candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600);
    if (fd_ >= 0) temp_ = candidate;
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const int saved = errno;
    close(dir_fd_);
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    errno = saved;
    throw_io("cannot create a temporary file next to", path_);
  }
  fchmod(fd_, 0600);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!temp_.empty()) unlinkat(dir_fd_, temp_.c_str(), 0);
  close(dir_fd_);
  sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write a temporary file next to", path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit() {
  if (fsync(fd_) != 0) throw_io("cannot fsync a temporary file next to", path_);
  if (close(fd_) != 0) {
    fd_ = -1;
    throw_io("cannot close a temporary file next to", path_);
  }
  fd_ = -1;
  if (renameat(dir_fd_, temp_.c_str(), dir_fd_, name_.c_str()) != 0)
    throw_io("cannot replace", path_);
  temp_.clear();
  // The rename is durable only once the folder entry is on disk.
  fsync(dir_fd_);
}

}  // namespace authctl::store
