#include <doctest/doctest.h>

#include "core/keep_fresh_rule.hpp"

namespace rule = authctl::keep_fresh_rule;

TEST_CASE("the lifetime: expires - issued_at, else the profile's seconds") {
  CHECK(rule::lifetime(1060, 1000, 3600) == 60);
  CHECK(rule::lifetime(1060, std::nullopt, 3600) == 3600);  // an older store
  CHECK(rule::lifetime(1060, 2000, 90) == 90);              // issued after expiry: not believed
  CHECK(rule::lifetime(1060, 1060, 0) == 1);                // never zero
}

TEST_CASE("renew once less than max(min-valid, a third of the lifetime) is left") {
  // 60-second token, min-valid 10 s: a third (20 s) wins.
  CHECK(rule::renew_margin(60, 10) == 20);
  CHECK(rule::renew_at(1060, 60, 10) == 1041);       // the first second it is due
  CHECK_FALSE(rule::renew_due(1060, 60, 10, 1040));  // exactly 20 s left: not yet
  CHECK(rule::renew_due(1060, 60, 10, 1041));
  // one hour, min-valid 25m: min-valid wins over 20m.
  CHECK(rule::renew_margin(3600, 25 * 60) == 25 * 60);
  CHECK(rule::renew_due(4600, 3600, 25 * 60, 4600 - 25 * 60 + 1));
  CHECK_FALSE(rule::renew_due(4600, 3600, 25 * 60, 4600 - 25 * 60));
  CHECK(rule::renew_due(1060, 60, 10, 5000));  // long past expiry (a laptop that slept)
}

TEST_CASE("min-valid must be under half the lifetime the profile asks for") {
  CHECK(rule::min_valid_allowed(300, 3600));
  CHECK(rule::min_valid_allowed(29, 60));
  CHECK_FALSE(rule::min_valid_allowed(30, 60));
  CHECK_FALSE(rule::min_valid_allowed(300, 60));
  CHECK_FALSE(rule::min_valid_allowed(-1, 60));
  CHECK(rule::min_valid_allowed(0, 60));
}

TEST_CASE("retries back off from 1 s, doubling, up to 60 s") {
  CHECK(rule::retry_delay(0) == 1);
  CHECK(rule::retry_delay(1) == 2);
  CHECK(rule::retry_delay(5) == 32);
  CHECK(rule::retry_delay(6) == 60);
  CHECK(rule::retry_delay(1000) == 60);
}

TEST_CASE("the wall clock is looked at again at least every 30 s") {
  CHECK(rule::sleep_before(2000, 1000) == 30);
  CHECK(rule::sleep_before(1010, 1000) == 10);
  CHECK(rule::sleep_before(1000, 1000) == 0);
  CHECK(rule::sleep_before(900, 1000) == 0);
}
