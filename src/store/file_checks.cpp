#include "store/file_checks.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.hpp"

namespace authctl::store {

void check_private(const struct stat& st, const std::string& path, bool is_dir) {
  if (st.st_uid != geteuid()) {
    throw Error(ExitCode::error,
                path + " is owned by another user (uid " + std::to_string(st.st_uid) + ")",
                Reason::file_foreign_owner, ErrorFacts{path, {}, std::nullopt});
  }
  if (st.st_mode & 077) {
    throw Error(ExitCode::error, path + " is accessible to other users", Reason::file_exposed,
                ErrorFacts{path, is_dir ? "700" : "600", std::nullopt});
  }
}

void refuse_symlink(const std::string& path) {
  throw Error(ExitCode::error, path + " is a symbolic link, which the credential store refuses",
              Reason::file_symlink);
}

std::string file_type_name(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a folder";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  return "not a regular file";
}

void require_regular(const struct stat& st, const std::string& path) {
  if (S_ISREG(st.st_mode)) return;
  throw Error(ExitCode::error, path + " is " + file_type_name(st) + ", not a regular file",
              Reason::store_file_special);
}

namespace {
void check_open_entry(int fd, const std::string& path, bool is_dir) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw_io("cannot stat", path);
  if (is_dir && !S_ISDIR(st.st_mode))
    throw Error(ExitCode::error, path + " is not a folder", Reason::not_a_folder);
  if (!is_dir) require_regular(st, path);
  check_private(st, path, is_dir);
}
}  // namespace

Fd open_private_at(int dir_fd, const std::string& name, const std::string& path, int flags,
                   mode_t mode) {
  Fd fd(openat(dir_fd, name.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode));
  if (!fd) {
    if (errno == ENOENT) return fd;
    const int saved = errno;
    struct stat st {};
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) refuse_symlink(path);
      // O_RDWR on a folder, O_WRONLY on a FIFO without a reader: name what is there.
      require_regular(st, path);
    }
    errno = saved;
    throw_io("cannot open", path);
  }
  check_open_entry(fd.get(), path, false);
  return fd;
}

int open_user_file(const std::string& path, const std::string& what, struct stat* st_out) {
  Fd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return -1;
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw_io("cannot stat", path);
  if (!S_ISREG(st.st_mode))
    throw Error(ExitCode::error,
                what + " " + path + " is " + file_type_name(st) + ", not a regular file",
                Reason::user_file_special);
  if (st_out) *st_out = st;
  return fd.release();
}

Fd open_private(const std::string& path, int flags, bool is_dir) {
  Fd fd(open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return fd;
    if (errno == ELOOP || (is_dir && errno == ENOTDIR)) {
      struct stat st {};
      if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) refuse_symlink(path);
    }
    throw_io("cannot open", path);
  }
  check_open_entry(fd.get(), path, is_dir);
  return fd;
}

Fd open_parent(const std::string& path, std::string& name) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  name = path.substr(slash + 1);  // npos + 1: all of it
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_io("cannot open the folder of", path);
  return fd;
}

std::vector<std::string> list_names(int dir_fd, const std::string& path) {
  Fd copy(fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (!copy) throw_io("cannot list", path);
  std::unique_ptr<DIR, int (*)(DIR*)> listing(fdopendir(copy.get()), closedir);
  if (!listing) throw_io("cannot list", path);
  copy.release();            // closedir closes it now
  rewinddir(listing.get());  // the copy shares dir_fd's offset: from the start
  std::vector<std::string> names;
  while (const dirent* entry = readdir(listing.get())) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  return names;
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
      throw Error(ExitCode::error, path + " is larger than expected", Reason::file_unexpected);
  }
  return text;
}

void throw_io(const std::string& what, const std::string& path) {
  throw Error(ExitCode::error, what + " " + path + ": " + strerror(errno), Reason::file_io);
}

void make_folders(const std::string& dir, const std::string& private_root) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) == 0) return;
  size_t private_length = private_root.size();  // "a/b//" is the folder a/b
  while (private_length > 1 && private_root[private_length - 1] == '/') --private_length;
  for (size_t pos = 1;; ++pos) {
    pos = dir.find('/', pos);
    const std::string partial = dir.substr(0, pos);
    const bool is_private = partial.size() >= private_length;
    if (mkdir(partial.c_str(), is_private ? 0700 : 0755) != 0 && errno != EEXIST)
      throw_io("cannot create", partial);
    if (pos == std::string::npos) return;
  }
}

}  // namespace authctl::store
