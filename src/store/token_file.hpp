// A file that holds one token and nothing else (no newline), for a program that reads it
// when it needs it: token --watch --sink FILE, and exec --keep-fresh's AUTHCTL_TOKEN_FILE.
// Every write replaces it atomically (a temp file in the same folder, renamed over it), so a
// reader sees the old token or the new one, never a part. The TokenFile removes the file
// when it goes (or at remove()), so that a token is never left behind by a clean exit.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "store/fd.hpp"

namespace authctl::store {

class TokenFile {
 public:
  // Checks the folder `path` is in (a folder, not a symlink itself, owned by this user or
  // root, writable by no one else: whoever may change it could put a token of theirs, or a
  // link, in the file's place) and removes temp files of `path` that a killed writer left
  // (older than a minute). `mode`: 0600, or 0640 for a reader in the file's group.
  // Throws authctl::Error(error) naming the folder when it is unsafe or missing.
  explicit TokenFile(std::string path, mode_t mode = 0600);
  ~TokenFile();
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  // Replaces the file with `token` (printable ASCII without spaces only: anything else is
  // refused before a byte is written). Throws authctl::Error on failure.
  void write(std::string_view token);
  // Removes the file now (no error when it is gone already); write() makes it again.
  void remove();
  const std::string& path() const { return path_; }
  bool written() const { return written_; }

 private:
  std::string path_;
  std::string name_;  // the file's name in its folder
  mode_t mode_;
  Fd dir_;
  bool written_ = false;
};

// The folder part of `path` ("." for a bare name, "/" for a file at the root).
std::string folder_of(const std::string& path);

}  // namespace authctl::store
