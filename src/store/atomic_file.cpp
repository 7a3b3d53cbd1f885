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
std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

AtomicFile::AtomicFile(const std::string& target_path) : target_(target_path) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigprocmask(SIG_BLOCK, &block, &saved_mask_);
  std::string templ = target_ + ".tmp.XXXXXX";
  fd_ = mkostemp(templ.data(), O_CLOEXEC);  // mkstemp creates with 0600
  if (fd_ < 0) {
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    throw_io("cannot create a temporary file next to", target_);
  }
  temp_ = templ;
  fchmod(fd_, 0600);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!temp_.empty()) unlink(temp_.c_str());
  sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write", temp_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit() {
  if (fsync(fd_) != 0) throw_io("cannot fsync", temp_);
  if (close(fd_) != 0) {
    fd_ = -1;
    throw_io("cannot close", temp_);
  }
  fd_ = -1;
  if (rename(temp_.c_str(), target_.c_str()) != 0) throw_io("cannot replace", target_);
  temp_.clear();
  // The rename is durable only once the folder entry is on disk.
  int dir = open(parent_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

}  // namespace authctl::store
