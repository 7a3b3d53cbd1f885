// Writes a file atomically: a temp file in the same folder (0600), fsync, rename over the
// target, fsync the folder. Until commit() the target is untouched; a destroyed, uncommitted
// AtomicFile removes its temp file (ccache's AtomicFile, git's tempfile.c).
#pragma once

#include <signal.h>

#include <string>
#include <string_view>

namespace authctl::store {

class AtomicFile {
 public:
  explicit AtomicFile(const std::string& target_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void commit();  // fsync, rename, fsync folder; throws authctl::Error on failure

 private:
  // SIGINT, SIGTERM and SIGHUP wait until the temp file is renamed or removed, so that
  // Ctrl-C never leaves a temp file full of tokens behind; they are delivered afterwards.
  sigset_t saved_mask_;
  std::string target_;
  std::string temp_;
  int fd_ = -1;
};

}  // namespace authctl::store
