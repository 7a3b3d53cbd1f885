// A one-line progress indicator for waiting loops (device-code and QR logins) on a tty.
#pragma once

#include <cstdint>
#include <iostream>
#include <string>

namespace authctl::term {

// Each update() redraws the line as "\r<frame> <status>\x1b[K" with the next frame, cut from
// the end to the terminal's width (a wrapped line would be redrawn as a new line every
// time); finish() (or the destructor) erases it so the next output starts on a clean line.
// A disabled spinner (stderr not a tty, --json, --no-input) writes nothing at all.
//
// After the terminal got narrower than the line last drawn, a terminal that reflows its
// lines (VTE, kitty, iTerm2, tmux, Windows Terminal) has wrapped it onto several rows, with
// the cursor on the last: the redraw first goes up over them and erases to the end of the
// screen, as ora and log-update do, so no piece of the old line is left behind.
class Spinner {
 public:
  explicit Spinner(bool enabled, std::ostream& out = std::cerr);
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;
  ~Spinner();

  // At the width of the terminal on stderr.
  void update(const std::string& status);
  // At `columns` (0: unknown, nothing is cut).
  void update(const std::string& status, size_t columns);
  void finish();
  void finish(size_t columns);

  // Whether an enabled spinner exists (a waiting loop's): another one keeps off its line.
  static bool any_enabled();

 private:
  // "\r", after going up over the rows a reflowed line of drawn_columns_ takes at `columns`.
  std::string back_to_start(size_t columns) const;

  bool enabled_;
  std::ostream& out_;
  bool utf8_;
  size_t frame_ = 0;
  bool drawn_ = false;        // a line is on screen that finish() must erase
  size_t drawn_columns_ = 0;  // its width
};

// The status of a wait, what matters first and cut from the end:
// "GMY5-ABHQ · 9m left · Ctrl-C to stop" (" - " instead of " · " without UTF-8).
std::string wait_status(const std::string& label, int64_t seconds_left, bool utf8);

}  // namespace authctl::term
