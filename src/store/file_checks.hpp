// Ownership and permission checks shared by the store's files and folder.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "store/fd.hpp"

namespace authctl::store {

// Throws authctl::Error(error) with the chmod/chown fix when `st` (of `path`) belongs to
// another user or grants any access to group or others.
void check_private(const struct stat& st, const std::string& path, bool is_dir);

// The error for a path that turned out to be a symlink (open with O_NOFOLLOW failed).
[[noreturn]] void refuse_symlink(const std::string& path);

// Opens an existing store entry without following symlinks, checks that it is a regular
// file (or a folder) private to this user; none (errno ENOENT) if absent.
Fd open_private(const std::string& path, int flags, bool is_dir);

// Opens `name` in the already checked folder `dir_fd` (openat: a swapped parent path cannot
// redirect it) with O_NOFOLLOW|O_NONBLOCK, so that a symlink is refused and a FIFO or device
// is an error at once instead of a hang; then checks it is a regular file private to this
// user. `path` names it in messages. None (errno ENOENT) if absent (and no O_CREAT).
Fd open_private_at(int dir_fd, const std::string& name, const std::string& path, int flags,
                   mode_t mode = 0600);

// Opens the folder `path` is in (as the path leads there: symlinks followed; "." for a bare
// name) and sets `name` to the path's last part. Throws naming `path` when it cannot.
Fd open_parent(const std::string& path, std::string& name);

// The names in the folder `dir_fd` but "." and "..", read through a copy of the descriptor
// (so `dir_fd` stays usable for openat). Throws naming `path` when it cannot list.
std::vector<std::string> list_names(int dir_fd, const std::string& path);

// Throws the "not a regular file" error (naming what it is: a FIFO, a folder, ...) unless
// `st` is a regular file.
void require_regular(const struct stat& st, const std::string& path);

// "a FIFO", "a folder", "a device", ... for messages.
std::string file_type_name(const struct stat& st);

// Opens a file the user named (a secret file, --passkey-file, --cacert): symlinks are
// followed (CI mounts secrets that way), but never blocks: O_NONBLOCK, then fstat of the
// target, which must be a regular file (else Error naming what it is; `what` names the
// option, e.g. "--password-file"). -1 with errno set when it cannot be opened.
int open_user_file(const std::string& path, const std::string& what, struct stat* st = nullptr);

// Reads a whole file from `fd` (at most max_size bytes, else Error naming `path`).
std::string read_all(int fd, const std::string& path, size_t max_size);

// Makes the folder `dir` when it is missing (an existing one is checked by open_private on
// use): its missing parents above `private_root` with the usual 0755, `private_root` and
// every folder below it 0700 (the store folder, and passkeys/ inside it).
void make_folders(const std::string& dir, const std::string& private_root);

[[noreturn]] void throw_io(const std::string& what, const std::string& path);

}  // namespace authctl::store
