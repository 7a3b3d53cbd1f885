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

int open_private(const std::string& path, int flags, bool is_dir) {
  int fd = open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    if (errno == ELOOP || (is_dir && errno == ENOTDIR)) {
      struct stat st {};
      if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) refuse_symlink(path);
    }
    throw_io("cannot open", path);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw_io("cannot stat", path);
  }
  try {
    if (is_dir != S_ISDIR(st.st_mode) || (!is_dir && !S_ISREG(st.st_mode)))
      throw Error(ExitCode::error, path + (is_dir ? " is not a folder" : " is not a regular file"));
    check_private(st, path, is_dir);
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
