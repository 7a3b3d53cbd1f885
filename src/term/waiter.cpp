#include "term/waiter.hpp"

#include <algorithm>

#include "core/timeutil.hpp"
#include "term/interrupt.hpp"
#include "term/spinner.hpp"

namespace authctl::term {

bool wait_until(const WaitPlan& plan, const std::function<bool()>& poll) {
  InterruptGuard guard;
  Spinner spinner(plan.spinner);
  for (;;) {
    throw_if_interrupted();
    if (poll()) return true;
    if (timeutil::now() >= plan.deadline) return false;
    // Wait the interval after this answer, redrawing the countdown a few times a second.
    auto until = std::chrono::steady_clock::now() + plan.interval;
    while (std::chrono::steady_clock::now() < until) {
      const int64_t left = std::max<int64_t>(0, plan.deadline - timeutil::now());
      spinner.update(plan.label + " (" + timeutil::format_duration(left) +
                     " left, Ctrl-C to stop)");
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
  Spinner spinner(plan.spinner);
  for (;;) {
    throw_if_interrupted();
    const int64_t left = plan.deadline - timeutil::now();
    if (left <= 0) return false;
    spinner.update(plan.label + " (" + timeutil::format_duration(left) + " left, Ctrl-C to stop)");
    if (listen(std::chrono::milliseconds(250))) return true;
  }
}

}  // namespace authctl::term
