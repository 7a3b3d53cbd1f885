// How long and how often a waiting command waits (device-link, login --device/--qr,
// device-link phone, remote-quick-login --wait), as a pure function of its options, so that
// the rules are tested without a terminal or a server. cli/wait_options.hpp's wait_plan()
// fills in the terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "term/waiter.hpp"

namespace authctl::cli {

class Context;

struct WaitRequest {
  std::string interval;          // --interval as given; "" = default_interval
  std::string wait;              // --wait as given; "" = until the expiry
  int64_t default_interval = 4;  // s, the flow's
  int64_t min_interval = 1;      // s; a shorter --interval is refused
  // When what is waited for expires (local Unix seconds); nullopt: only --wait ends the
  // wait (without it the deadline is now).
  std::optional<int64_t> expiry;
  // Stop one interval before the expiry: what was made can still be undone until then
  // (device-link phone ends the session the app never claimed).
  bool stop_one_interval_early = false;
  int64_t now = 0;       // local Unix seconds
  bool spinner = false;  // a terminal is there to draw on
  std::string label;
};

struct PlannedWait {
  term::WaitPlan plan;
  // The expiry (or the stop before it), not --wait, sets the deadline: running out of time
  // means the code expired rather than that --wait was too short.
  bool ends_at_expiry = false;
};

// How a wait that did not succeed ended: the code expired (or was refused as no longer
// valid), or --wait ran out while it was still valid.
enum class WaitEnd { expired, gave_up };
WaitEnd wait_end(const PlannedWait& planned, bool refused);

// --interval (at least min_interval), until the expiry or --wait, whichever is first.
// An invalid duration or too short an interval is Error(usage).
PlannedWait plan_wait(const WaitRequest& request);

// plan_wait() of `request` as of now, with a spinner only on a terminal
// and not with --json.
PlannedWait wait_plan(const Context& context, WaitRequest request);

}  // namespace authctl::cli
