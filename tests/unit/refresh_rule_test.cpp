#include <doctest/doctest.h>

#include "core/refresh_rule.hpp"

using namespace authctl::refresh_rule;

TEST_CASE("refresh when less than min-valid is left on the server clock") {
  // local clock 1000, server 30 s ahead: server_now 1030
  CHECK_FALSE(needs_refresh(1030 + 61, 1000, 30, 60));
  CHECK_FALSE(needs_refresh(1030 + 60, 1000, 30, 60));
  CHECK(needs_refresh(1030 + 59, 1000, 30, 60));
  // the same token with a server 30 s behind would still be fine
  CHECK_FALSE(needs_refresh(1030 + 59, 1000, -30, 60));
  CHECK(expired(1030, 1000, 30));
  CHECK_FALSE(expired(1031, 1000, 30));
}

TEST_CASE("a refresh asks for max(seconds, min-valid + 5m), capped at 3600") {
  CHECK(seconds_to_ask(3600, 60) == 3600);
  CHECK(seconds_to_ask(100, 300) == 600);
  CHECK(seconds_to_ask(100, 60) == 360);
  CHECK(seconds_to_ask(1200, 60) == 1200);
  CHECK(seconds_to_ask(600, 55 * 60) == 3600);
}

TEST_CASE("fresh_enough: no request while min-valid is left, and never for tokens without expiry") {
  // local clock 1000, server 30 s ahead: server_now 1030; 60 s wanted
  CHECK(fresh_enough(1030 + 60, 30, 60, 1000));
  CHECK_FALSE(fresh_enough(1030 + 59, 30, 60, 1000));
  CHECK(fresh_enough(1030 + 59, -30, 60, 1000));  // the same token with the server behind
  CHECK_FALSE(fresh_enough(999, 0, 0, 1000));     // expired: not even for min-valid 0
  CHECK(fresh_enough(std::nullopt, 0, kMaxMinValid, 1000));  // Nexterm: does not expire
  CHECK(fresh_enough(std::nullopt, -999999, kMaxMinValid, 0));
}
