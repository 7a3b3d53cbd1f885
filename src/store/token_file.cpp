#include "store/token_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "core/error.hpp"
#include "store/atomic_file.hpp"
#include "store/credentials.hpp"
#include "store/file_checks.hpp"

namespace authctl::store {

namespace {

constexpr time_t kStaleTempSeconds = 60;

Fd open_checked_folder(const std::string& dir) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ELOOP || errno == ENOTDIR) {
      struct stat st {};
      if (lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw Error(ExitCode::error, dir + " is a symbolic link: a token file needs a real folder",
                    Reason::none);
    }
    throw_io("cannot open the folder", dir);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw_io("cannot inspect the folder", dir);
  if (st.st_uid != geteuid() && st.st_uid != 0)
    throw Error(ExitCode::error,
                dir + " belongs to another user (uid " + std::to_string(st.st_uid) +
                    "): a token file needs a folder of its own user or root",
                Reason::none);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw Error(ExitCode::error,
                dir + " is writable by other users: a token file needs a folder only its " +
                    "owner can change (chmod go-w " + dir + ")",
                Reason::none);
  return fd;
}

void remove_stale_temps(int dir_fd, const std::string& dir, const std::string& name) {
  const time_t now = time(nullptr);
  for (const std::string& entry : list_names(dir_fd, dir)) {
    if (!is_temp_of(entry, name)) continue;
    struct stat st {};
    // Only our own regular files, old enough that no live writer is between write and rename.
    if (fstatat(dir_fd, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && now - st.st_mtime > kStaleTempSeconds)
      unlinkat(dir_fd, entry.c_str(), 0);
  }
}

bool token_text(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token)
    if (c <= ' ' || c > '~') return false;
  return true;
}

}  // namespace

std::string folder_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

TokenFile::TokenFile(std::string path, mode_t mode) : path_(std::move(path)), mode_(mode) {
  const size_t slash = path_.rfind('/');
  name_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  if (name_.empty() || name_ == "." || name_ == "..")
    throw Error(ExitCode::usage, path_ + " is not a file name", Reason::none);
  const std::string dir = folder_of(path_);
  dir_ = open_checked_folder(dir);
  remove_stale_temps(dir_.get(), dir, name_);
}

TokenFile::~TokenFile() {
  remove();
}

void TokenFile::write(std::string_view token) {
  if (!token_text(token))
    throw Error(ExitCode::error, "refusing to write a token that holds spaces or control bytes",
                Reason::none);
  AtomicFile file(dir_.get(), name_, path_);
  file.set_mode(mode_);
  file.write(token);
  file.commit();
  written_ = true;
}

void TokenFile::remove() {
  if (!written_) return;
  if (unlinkat(dir_.get(), name_.c_str(), 0) == 0 || errno == ENOENT) written_ = false;
}

}  // namespace authctl::store
