// A one-line progress indicator for waiting loops (device-code and QR logins) on a tty.
#pragma once

#include <iostream>
#include <string>

namespace authctl::term {

// Each update() redraws the line as "\r<frame> <status>\x1b[K" with the next frame;
// finish() (or the destructor) erases it so the next output starts on a clean line.
// A disabled spinner (stderr not a tty, --json, --no-input) writes nothing at all.
// Keep the status shorter than the terminal: "\r" cannot go back up over a wrapped line.
class Spinner {
 public:
  explicit Spinner(bool enabled, std::ostream& out = std::cerr);
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;
  ~Spinner();

  void update(const std::string& status);
  void finish();

  // Whether an enabled spinner exists (a waiting loop's): another one keeps off its line.
  static bool any_enabled();

 private:
  bool enabled_;
  std::ostream& out_;
  bool utf8_;
  size_t frame_ = 0;
  bool drawn_ = false;  // a line is on screen that finish() must erase
};

}  // namespace authctl::term
