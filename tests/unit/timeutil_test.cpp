#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/timeutil.hpp"

using namespace authctl::timeutil;

TEST_CASE("RFC 3339 output") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(1795346531) == "2026-11-22T11:22:11Z");
}

TEST_CASE("HTTP dates") {
  CHECK(parse_http_date("Sun, 22 Nov 2026 11:22:11 GMT") == 1795346531);
  CHECK(parse_http_date("Sun, 22 Nov 2026 11:22:11") == std::nullopt);
  CHECK(parse_http_date("yesterday") == std::nullopt);
}

TEST_CASE("ISO-8601 times as Nexterm and some Neuron docs give them") {
  CHECK(parse_iso8601("2026-11-22T11:22:11Z") == 1795346531);
  CHECK(parse_iso8601("2026-11-22T11:22:11.123Z") == 1795346531);
  CHECK(parse_iso8601("2026-11-22T12:22:11+01:00") == 1795346531);
  CHECK(parse_iso8601("2026-11-22") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11Zjunk") == std::nullopt);
  CHECK(parse_time_value(nlohmann::json(1795346531)) == 1795346531);
  CHECK(parse_time_value(nlohmann::json("2026-11-22T11:22:11Z")) == 1795346531);
  CHECK(parse_time_value(nlohmann::json(nullptr)) == std::nullopt);
}

TEST_CASE("durations") {
  CHECK(parse_duration("90") == 90);
  CHECK(parse_duration("90s") == 90);
  CHECK(parse_duration("5m") == 300);
  CHECK(parse_duration("1h30m") == 5400);
  CHECK(parse_duration("2d") == 172800);
  CHECK(parse_duration("") == std::nullopt);
  CHECK(parse_duration("5") == 5);
  CHECK(parse_duration("-5m") == std::nullopt);
  CHECK(parse_duration("5x") == std::nullopt);
  CHECK(parse_duration("m") == std::nullopt);
  CHECK(parse_duration("5m3") == std::nullopt);
  CHECK(parse_duration("99999999999999h") == std::nullopt);
}

TEST_CASE("relative times") {
  CHECK(format_duration(42) == "42s");
  CHECK(format_duration(42 * 60 + 5) == "42m");
  CHECK(format_duration(3600) == "1h");
  CHECK(format_duration(3900) == "1h 5m");
  CHECK(format_duration(90000) == "1d 1h");
  CHECK(format_relative(1000 + 2520, 1000) == "in 42m");
  CHECK(format_relative(1000, 1000 + 180) == "3m ago");
  CHECK(format_relative(1000, 1000) == "now");
}
