// Writes a file atomically: a temp file in the same folder (0600), fsync, rename over the
// target, fsync the folder. Until commit() the target is untouched; a destroyed, uncommitted
// AtomicFile removes its temp file (ccache's AtomicFile, git's tempfile.c). In create_new
// mode commit() never replaces a file that exists: the file appears whole, or not at all
// (O_EXCL without a half-written file under the final name).
#pragma once

#include <signal.h>

#include <string>
#include <string_view>

#include "store/fd.hpp"

namespace authctl::store {

// The temp file's name: the target's name, ".tmp.", and six characters of [A-Za-z0-9]
// (as mkstemp makes them); Store removes leftovers of this pattern (is_temp_of).
inline constexpr const char* kTempInfix = ".tmp.";
inline constexpr size_t kTempSuffixLength = 6;

class AtomicFile {
 public:
  enum class Mode {
    replace,     // commit() renames over whatever is there
    create_new,  // commit() fails ("already exists") when the target exists
  };

  explicit AtomicFile(const std::string& target_path, Mode mode = Mode::replace);
  // The same for `name` in the folder `dir_fd` (openat/renameat: the folder checked by the
  // caller is the one written to, whatever its path turns into); `path` is for messages.
  AtomicFile(int dir_fd, const std::string& name, const std::string& path,
             Mode mode = Mode::replace);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  // The mode the file gets (0600 unless set), e.g. 0640 for a token file read by a group.
  void set_mode(mode_t mode);
  // fsync, rename (or, in create_new mode, place without replacing), fsync the folder;
  // throws authctl::Error on failure, the target then as it was.
  void commit();

 private:
  // SIGINT, SIGTERM and SIGHUP wait until the temp file is renamed or removed, so that
  // Ctrl-C never leaves a temp file full of tokens behind; they are delivered afterwards.
  // The first member: the mask comes back last, after the temp file is gone.
  class SignalBlock {
   public:
    SignalBlock();
    ~SignalBlock();
    SignalBlock(const SignalBlock&) = delete;
    SignalBlock& operator=(const SignalBlock&) = delete;

   private:
    sigset_t saved_;
  };

  void create_temp();
  void place_new();  // commit() of create_new

  SignalBlock blocked_;
  std::string name_;  // the target's name in the folder
  std::string path_;  // the target's path, for messages
  Mode mode_;
  Fd dir_;            // our own descriptor of the folder
  std::string temp_;  // the temp file's name in the folder, once created
  Fd fd_;
};

}  // namespace authctl::store
