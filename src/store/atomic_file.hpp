// Writes a file atomically: a temp file in the same folder (0600), fsync, rename over the
// target, fsync the folder. Until commit() the target is untouched; a destroyed, uncommitted
// AtomicFile removes its temp file (ccache's AtomicFile, git's tempfile.c).
#pragma once

#include <signal.h>

#include <string>
#include <string_view>

namespace authctl::store {

// The temp file's name: the target's name, ".tmp.", and six characters of [A-Za-z0-9]
// (as mkstemp makes them); Store removes leftovers of this pattern (is_temp_of).
inline constexpr const char* kTempInfix = ".tmp.";
inline constexpr size_t kTempSuffixLength = 6;

class AtomicFile {
 public:
  explicit AtomicFile(const std::string& target_path);
  // The same for `name` in the folder `dir_fd` (openat/renameat: the folder checked by the
  // caller is the one written to, whatever its path turns into); `path` is for messages.
  AtomicFile(int dir_fd, const std::string& name, const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void commit();  // fsync, rename, fsync folder; throws authctl::Error on failure

 private:
  void create_temp();

  // SIGINT, SIGTERM and SIGHUP wait until the temp file is renamed or removed, so that
  // Ctrl-C never leaves a temp file full of tokens behind; they are delivered afterwards.
  sigset_t saved_mask_;
  int dir_fd_ = -1;   // our own descriptor of the folder
  std::string name_;  // the target's name in the folder
  std::string path_;  // the target's path, for messages
  std::string temp_;  // the temp file's name in the folder, once created
  int fd_ = -1;
};

}  // namespace authctl::store
