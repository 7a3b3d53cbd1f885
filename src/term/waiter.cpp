#include "term/waiter.hpp"

#include <unistd.h>

#include <algorithm>

#include "core/timeutil.hpp"
#include "term/interrupt.hpp"
#include "term/qr.hpp"
#include "term/spinner.hpp"
#include "term/tty.hpp"

namespace authctl::term {

namespace {

// The spinner line of a wait, and what a change of the terminal's size does to it.
class WaitScreen {
 public:
  explicit WaitScreen(const WaitPlan& plan)
      : plan_(plan),
        spinner_(plan.spinner),
        utf8_(plan.spinner && locale_is_utf8()),
        size_(terminal_size(STDERR_FILENO)) {}

  void draw(int64_t seconds_left) {
    const TerminalSize now = terminal_size(STDERR_FILENO);
    if (now.columns != size_.columns || now.rows != size_.rows) {
      spinner_.finish(now.columns);  // what was drawn may have been wrapped: gone first
      size_ = now;
      if (plan_.on_resize) plan_.on_resize();
    }
    spinner_.update(wait_status(plan_.label, seconds_left, utf8_), now.columns);
  }

 private:
  const WaitPlan& plan_;
  Spinner spinner_;
  bool utf8_;
  TerminalSize size_;
};

}  // namespace

bool wait_until(const WaitPlan& plan, const std::function<bool()>& poll) {
  InterruptGuard guard;
  WaitScreen screen(plan);
  for (;;) {
    throw_if_interrupted();
    if (poll()) return true;
    if (timeutil::now() >= plan.deadline) return false;
    // Wait the interval after this answer, redrawing the countdown a few times a second.
    auto until = std::chrono::steady_clock::now() + plan.interval;
    while (std::chrono::steady_clock::now() < until) {
      const int64_t left = std::max<int64_t>(0, plan.deadline - timeutil::now());
      screen.draw(left);
      if (left == 0) break;
      auto step = std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), std::chrono::milliseconds(250));
      sleep_interruptible(std::chrono::duration_cast<std::chrono::milliseconds>(step));
    }
    // Out of time before a whole interval passed: give up rather than ask early (the
    // interval is a promise to the server, e.g. no petition more often than every 10 s).
    if (timeutil::now() >= plan.deadline && std::chrono::steady_clock::now() < until) return false;
  }
}

bool wait_for_event(const WaitPlan& plan,
                    const std::function<bool(std::chrono::milliseconds)>& listen) {
  InterruptGuard guard;
  WaitScreen screen(plan);
  for (;;) {
    throw_if_interrupted();
    const int64_t left = plan.deadline - timeutil::now();
    if (left <= 0) return false;
    screen.draw(left);
    if (listen(std::chrono::milliseconds(250))) return true;
  }
}

}  // namespace authctl::term
