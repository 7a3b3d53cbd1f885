// The waiting loop of device-code and QR logins: poll, then wait `interval` (each wait
// starting after the previous answer), with a spinner and countdown on a terminal, until the
// poll says done, the deadline passes, or Ctrl-C.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace authctl::term {

struct WaitPlan {
  std::chrono::milliseconds interval{4000};
  int64_t deadline = 0;  // local Unix seconds
  bool spinner = false;  // a tty is there to draw on
  std::string label;     // what matters most, first on the spinner line: "GMY5-ABHQ"
  // Called (with the spinner line erased) when the terminal on stderr changed size: the
  // size is looked at every redraw (4 times a second), so no SIGWINCH handler is needed.
  std::function<void()> on_resize;
};

// `poll` returns true when done. Returns false when the deadline passed first. Throws
// Error(interrupted) on Ctrl-C.
bool wait_until(const WaitPlan& plan, const std::function<bool()>& poll);

// The same for event-driven waits (long polls): `listen(max)` waits at most `max` for the
// event and returns true once it came; between calls the spinner is redrawn and Ctrl-C and
// the deadline are checked. `plan.interval` is not used.
bool wait_for_event(const WaitPlan& plan,
                    const std::function<bool(std::chrono::milliseconds)>& listen);

}  // namespace authctl::term
