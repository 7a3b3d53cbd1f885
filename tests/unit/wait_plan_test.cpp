// cli/wait_plan: how long and how often the waiting commands wait, from their options.
#include <doctest/doctest.h>

#include "cli/wait_plan.hpp"
#include "core/error.hpp"

using namespace authctl;
using namespace authctl::cli;

namespace {

constexpr int64_t kNow = 1'800'000'000;

WaitRequest code_wait(int64_t expires_in) {
  WaitRequest request;
  request.default_interval = 4;
  request.expiry = kNow + expires_in;
  request.now = kNow;
  request.label = "Waiting for approval";
  return request;
}

int64_t interval_of(const PlannedWait& planned) {
  return std::chrono::duration_cast<std::chrono::seconds>(planned.plan.interval).count();
}

}  // namespace

TEST_CASE("plan_wait: without options, the flow's interval until the code expires") {
  WaitRequest request = code_wait(600);
  request.spinner = true;
  const PlannedWait planned = plan_wait(request);
  CHECK(interval_of(planned) == 4);
  CHECK(planned.plan.deadline == kNow + 600);
  CHECK(planned.ends_at_expiry);
  CHECK(planned.plan.spinner);
  CHECK(planned.plan.label == "Waiting for approval");
  request.spinner = false;
  CHECK_FALSE(plan_wait(request).plan.spinner);
}

TEST_CASE("plan_wait: --interval replaces the default, and not below the minimum") {
  WaitRequest request = code_wait(600);
  request.interval = "90s";
  CHECK(interval_of(plan_wait(request)) == 90);
  request.interval = "1s";
  CHECK(interval_of(plan_wait(request)) == 1);  // the minimum is 1 s unless the flow says
  request.min_interval = 10;
  CHECK_THROWS_AS(plan_wait(request), Error);
  try {
    plan_wait(request);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
  }
  request.interval = "10s";
  CHECK(interval_of(plan_wait(request)) == 10);
}

TEST_CASE("plan_wait: --wait shorter than the expiry ends first, a longer one does not") {
  WaitRequest request = code_wait(600);
  request.wait = "2m";
  PlannedWait planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 120);
  CHECK_FALSE(planned.ends_at_expiry);
  request.wait = "1h";
  planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 600);
  CHECK(planned.ends_at_expiry);
  request.wait = "10m";  // exactly the expiry: --wait's
  CHECK_FALSE(plan_wait(request).ends_at_expiry);
  CHECK(plan_wait(request).plan.deadline == kNow + 600);
}

TEST_CASE("plan_wait: the phone stops one interval before the code expires") {
  WaitRequest request = code_wait(300);
  request.default_interval = 3;
  request.stop_one_interval_early = true;
  PlannedWait planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 297);
  CHECK(planned.ends_at_expiry);
  request.interval = "20s";
  CHECK(plan_wait(request).plan.deadline == kNow + 280);
  request.wait = "290s";  // past the stop: the stop wins, and it counts as the expiry
  planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 280);
  CHECK(planned.ends_at_expiry);
  request.wait = "280s";  // up to the stop: --wait's
  planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 280);
  CHECK_FALSE(planned.ends_at_expiry);
  request.wait = "1m";
  CHECK(plan_wait(request).plan.deadline == kNow + 60);
}

TEST_CASE("plan_wait: without an expiry only --wait ends the wait") {
  WaitRequest request;
  request.default_interval = 10;
  request.min_interval = 10;
  request.now = kNow;
  request.wait = "5m";
  PlannedWait planned = plan_wait(request);
  CHECK(planned.plan.deadline == kNow + 300);
  CHECK_FALSE(planned.ends_at_expiry);
  CHECK(interval_of(planned) == 10);
  request.wait.clear();
  CHECK(plan_wait(request).plan.deadline == kNow);  // nothing to wait for
}

TEST_CASE("plan_wait: an invalid duration is a usage error") {
  WaitRequest request = code_wait(600);
  request.wait = "soon";
  CHECK_THROWS_AS(plan_wait(request), Error);
  request.wait.clear();
  request.interval = "5 parsecs";
  CHECK_THROWS_AS(plan_wait(request), Error);
  try {
    plan_wait(request);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
  }
}
