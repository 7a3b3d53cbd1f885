#include "store/file_checks.hpp"

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

void throw_io(const std::string& what, const std::string& path) {
  throw Error(ExitCode::error, what + " " + path + ": " + strerror(errno),
              "check the path, its permissions and free space, or set AUTHCTL_CONFIG_DIR");
}

}  // namespace authctl::store
