#include "cli/wait_plan.hpp"

#include <unistd.h>

#include <algorithm>

#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

int64_t interval_seconds(const WaitRequest& request) {
  if (request.interval.empty()) return request.default_interval;
  const int64_t seconds = parse_duration_or_throw(request.interval);
  if (seconds < request.min_interval)
    throw Error(ExitCode::usage,
                "--interval '" + request.interval + "' is shorter than the minimum of " +
                    timeutil::format_duration(request.min_interval),
                "give a longer --interval");
  return seconds;
}

}  // namespace

PlannedWait plan_wait(const WaitRequest& request) {
  PlannedWait planned;
  const int64_t interval = interval_seconds(request);
  planned.plan.interval = std::chrono::seconds(interval);
  planned.plan.spinner = request.spinner;
  planned.plan.label = request.label;
  std::optional<int64_t> limit = request.expiry;
  if (limit && request.stop_one_interval_early) *limit -= interval;
  if (request.wait.empty()) {
    planned.plan.deadline = limit.value_or(request.now);
    planned.ends_at_expiry = limit.has_value();
    return planned;
  }
  const int64_t wait_deadline = request.now + parse_duration_or_throw(request.wait);
  planned.ends_at_expiry = limit && *limit < wait_deadline;
  planned.plan.deadline = planned.ends_at_expiry ? *limit : wait_deadline;
  return planned;
}

PlannedWait wait_plan(const Context& context, WaitRequest request) {
  request.now = timeutil::now();
  request.spinner = term::is_tty(STDERR_FILENO) && !context.global.json;
  return plan_wait(request);
}

WaitEnd wait_end(const PlannedWait& planned, bool refused) {
  return refused || planned.ends_at_expiry ? WaitEnd::expired : WaitEnd::gave_up;
}

}  // namespace authctl::cli
