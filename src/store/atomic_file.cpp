#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/error.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

namespace {

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

AtomicFile::SignalBlock::SignalBlock() {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigprocmask(SIG_BLOCK, &block, &saved_);
}

AtomicFile::SignalBlock::~SignalBlock() {
  sigprocmask(SIG_SETMASK, &saved_, nullptr);
}

AtomicFile::AtomicFile(const std::string& target_path, Mode mode)
    : path_(target_path), mode_(mode), dir_(open_parent(target_path, name_)) {
  create_temp();
}

AtomicFile::AtomicFile(int dir_fd, const std::string& name, const std::string& path, Mode mode)
    : name_(name), path_(path), mode_(mode), dir_(fcntl(dir_fd, F_DUPFD_CLOEXEC, 0)) {
  if (!dir_) throw_io("cannot open the folder of", path);
  create_temp();
}

void AtomicFile::create_temp() {
  for (int attempt = 0; attempt < 100 && !fd_; ++attempt) {
    const std::string candidate = name_ + kTempInfix + temp_suffix();
    fd_.reset(openat(dir_.get(), candidate.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd_) temp_ = candidate;
    if (!fd_ && errno != EEXIST) break;
  }
  if (!fd_) throw_io("cannot create a temporary file next to", path_);
  fchmod(fd_.get(), 0600);
}

AtomicFile::~AtomicFile() {
  fd_.reset();
  if (!temp_.empty()) unlinkat(dir_.get(), temp_.c_str(), 0);
}

void AtomicFile::set_mode(mode_t mode) {
  if (fchmod(fd_.get(), mode) != 0)
    throw_io("cannot set the mode of a temporary file next to", path_);
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write a temporary file next to", path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::place_new() {
  // renameat2 with RENAME_NOREPLACE is one atomic step; a file system without it (EINVAL)
  // gets link(), which fails just the same when the name is taken, and the temp name goes.
  if (renameat2(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str(), RENAME_NOREPLACE) == 0) {
    temp_.clear();
    return;
  }
  if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
    if (linkat(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str(), 0) == 0) {
      unlinkat(dir_.get(), temp_.c_str(), 0);
      temp_.clear();
      return;
    }
  }
  if (errno == EEXIST) throw Error(ExitCode::error, path_ + " already exists", Reason::file_exists);
  throw_io("cannot create", path_);
}

void AtomicFile::commit() {
  if (fsync(fd_.get()) != 0) throw_io("cannot fsync a temporary file next to", path_);
  if (!fd_.close()) throw_io("cannot close a temporary file next to", path_);
  if (mode_ == Mode::create_new) {
    place_new();
  } else {
    if (renameat(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str()) != 0)
      throw_io("cannot replace", path_);
    temp_.clear();
  }
  // The rename is durable only once the folder entry is on disk.
  fsync(dir_.get());
}

}  // namespace authctl::store
