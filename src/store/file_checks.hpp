// Ownership and permission checks shared by the store's files and folder.
#pragma once

#include <sys/stat.h>

#include <string>

namespace authctl::store {

// Throws authctl::Error(error) with the chmod/chown fix when `st` (of `path`) belongs to
// another user or grants any access to group or others.
void check_private(const struct stat& st, const std::string& path, bool is_dir);

// The error for a path that turned out to be a symlink (open with O_NOFOLLOW failed).
[[noreturn]] void refuse_symlink(const std::string& path);

// Opens an existing store entry without following symlinks, checks that it is a regular
// file (or a folder) private to this user; -1 with errno ENOENT if absent.
int open_private(const std::string& path, int flags, bool is_dir);

// Reads a whole file from `fd` (at most max_size bytes, else Error naming `path`).
std::string read_all(int fd, const std::string& path, size_t max_size);

[[noreturn]] void throw_io(const std::string& what, const std::string& path);

}  // namespace authctl::store
