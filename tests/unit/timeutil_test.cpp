#include <doctest/doctest.h>

#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "core/timeutil.hpp"

using namespace authctl::timeutil;

TEST_CASE("RFC 3339 output") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(1795346531) == "2026-11-22T11:22:11Z");
  // Four-digit years below 1000 too (strftime's %Y wrote "999-..."; found by fuzz_time).
  const auto early = parse_iso8601("0999-06-01T00:00:00Z");
  REQUIRE(early);
  CHECK(format_rfc3339(*early) == "0999-06-01T00:00:00Z");
  CHECK(parse_iso8601(format_rfc3339(*parse_iso8601("0000-01-05T00:00:00+23:59"))) ==
        parse_iso8601("0000-01-05T00:00:00+23:59"));
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

TEST_CASE("ISO-8601: malformed input found by fuzzing is refused without reading past its end") {
  // The offset once advanced a fixed 6 bytes after "+2:00" (5 bytes): a heap over-read.
  CHECK(parse_iso8601("226-1-22T11:22:11.1230+2:00") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11.1230+2:00") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11+2:00") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11+02") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11+02:0") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11+") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11.") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11.123") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:1") == std::nullopt);
  CHECK(parse_iso8601("2026-1-22T11:22:11Z") == std::nullopt);
  CHECK(parse_iso8601("2026-13-22T11:22:11Z") == std::nullopt);
  CHECK(parse_iso8601("2026-02-30T11:22:11Z") == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T24:22:11Z") == std::nullopt);
  CHECK(parse_iso8601("") == std::nullopt);
  CHECK(parse_iso8601(std::string_view("2026-11-22T11:22:11Z\0", 21)) == std::nullopt);
  CHECK(parse_iso8601("2026-11-22T11:22:11.1230+02:00") == 1795346531 - 7200);
  CHECK(parse_iso8601("2026-11-22T09:22:11-02:00") == 1795346531);
  CHECK(parse_iso8601("2024-02-29T00:00:00Z") == 1709164800);
  CHECK(parse_iso8601("2000-01-01T00:00:00Z") == 946684800);
  // A view that ends early is read only up to its end.
  const std::string longer = "2026-11-22T11:22:11Z";
  CHECK(parse_iso8601(std::string_view(longer.data(), longer.size() - 1)) == std::nullopt);
}

TEST_CASE("server time values outside 2000-01-01..2200-01-01 are refused before any cast") {
  using nlohmann::json;
  CHECK(parse_time_value(json::parse("1e90")) == std::nullopt);
  CHECK(parse_time_value(json::parse("1e300")) == std::nullopt);
  CHECK(parse_time_value(json::parse("-1e90")) == std::nullopt);
  CHECK(parse_time_value(json(std::numeric_limits<double>::infinity())) == std::nullopt);
  CHECK(parse_time_value(json(std::numeric_limits<double>::quiet_NaN())) == std::nullopt);
  CHECK(parse_time_value(json::parse("18446744073709551615")) == std::nullopt);
  CHECK(parse_time_value(json::parse("-9223372036854775808")) == std::nullopt);
  CHECK(parse_time_value(json(0)) == std::nullopt);
  CHECK(parse_time_value(json(946684799)) == std::nullopt);
  CHECK(parse_time_value(json(946684800)) == 946684800);
  CHECK(parse_time_value(json(7258118400)) == 7258118400);
  CHECK(parse_time_value(json(7258118401)) == std::nullopt);
  CHECK(parse_time_value(json(1795346531.75)) == 1795346531);
  CHECK(parse_time_value(json("1999-12-31T23:59:59Z")) == std::nullopt);
  CHECK(parse_time_value(json("2200-01-01T00:00:01Z")) == std::nullopt);
  CHECK(parse_time_value(json("9999-12-31T23:59:59Z")) == std::nullopt);
  CHECK(parse_time_value(json(true)) == std::nullopt);
  CHECK(parse_time_value(json::array()) == std::nullopt);
  CHECK(parse_http_date("Sun, 22 Nov 9999 11:22:11 GMT") == std::nullopt);
  CHECK(in_server_range(1795346531));
  CHECK_FALSE(in_server_range(-1));
}

TEST_CASE("durations: long digit runs are refused, not converted") {
  CHECK(parse_duration("99999999999999999999") == std::nullopt);
  CHECK(parse_duration("999999999") == 999999999);
  CHECK(parse_duration("99999999999999999999s") == std::nullopt);
}
