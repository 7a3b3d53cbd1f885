#include "store/file_checks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace authctl::store {

void check_private(const struct stat& st, const std::string& path, bool is_dir) {
  if (st.st_uid != geteuid()) {
    throw Error(ExitCode::error,
                path + " is owned by another user (uid " + std::to_string(st.st_uid) + ")",
                "run: chown $(id -u) '" + path + "', or use a config dir of your own");
  }
  if (st.st_mode & 077) {
    throw Error(ExitCode::error, path + " is accessible to other users",
                std::string("run: chmod ") + (is_dir ? "700" : "600") + " '" + path + "'");
  }
}

void refuse_symlink(const std::string& path) {
  throw Error(ExitCode::error, path + " is a symbolic link, which the credential store refuses",
              "replace it with a real " + std::string("file or folder, or set AUTHCTL_CONFIG_DIR"));
}

std::string file_type_name(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a folder";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  return "not a regular file";
}

void require_regular(const struct stat& st, const std::string& path, const std::string& hint) {
  if (S_ISREG(st.st_mode)) return;
  throw Error(ExitCode::error, path + " is " + file_type_name(st) + ", not a regular file", hint);
}

namespace {
void check_open_entry(int fd, const std::string& path, bool is_dir) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw_io("cannot stat", path);
  if (is_dir && !S_ISDIR(st.st_mode))
    throw Error(ExitCode::error, path + " is not a folder",
                "move it aside, or set AUTHCTL_CONFIG_DIR");
  if (!is_dir) require_regular(st, path, "move it aside; authctl makes a new one when needed");
  check_private(st, path, is_dir);
}
}  // namespace

int open_private_at(int dir_fd, const std::string& name, const std::string& path, int flags,
                    mode_t mode) {
  int fd = openat(dir_fd, name.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    const int saved = errno;
    struct stat st {};
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) refuse_symlink(path);
      // O_RDWR on a folder, O_WRONLY on a FIFO without a reader: name what is there.
      require_regular(st, path, "move it aside; authctl makes a new one when needed");
    }
    errno = saved;
    throw_io("cannot open", path);
  }
  try {
    check_open_entry(fd, path, false);
  } catch (...) {
    close(fd);
    throw;
  }
  return fd;
}

int open_user_file(const std::string& path, const std::string& what, struct stat* st_out) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    throw_io("cannot stat", path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    throw Error(ExitCode::error,
                what + " " + path + " is " + file_type_name(st) + ", not a regular file",
                "give a regular file (a symlink to one is fine)");
  }
  if (st_out) *st_out = st;
  return fd;
}

int open_private(const std::string& path, int flags, bool is_dir) {
  int fd = open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    if (errno == ELOOP || (is_dir && errno == ENOTDIR)) {
      struct stat st {};
      if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) refuse_symlink(path);
    }
    throw_io("cannot open", path);
  }
  try {
    check_open_entry(fd, path, is_dir);
  } catch (...) {
    close(fd);
    throw;
  }
  return fd;
}

std::string read_all(int fd, const std::string& path, size_t max_size) {
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io("cannot read", path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_size)
      throw Error(ExitCode::error, path + " is larger than expected",
                  "check that it is the right file");
  }
  return text;
}

void throw_io(const std::string& what, const std::string& path) {
  throw Error(ExitCode::error, what + " " + path + ": " + strerror(errno),
              "check the path, its permissions and free space, or set AUTHCTL_CONFIG_DIR");
}

}  // namespace authctl::store
