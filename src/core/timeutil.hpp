// Time values as the servers and the user see them: Unix seconds, RFC 3339 (our JSON
// output), HTTP dates (the server clock), ISO-8601 (Nexterm), durations and relative times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace authctl::timeutil {

int64_t now();  // local wall clock, Unix seconds (plus the test skew below)

// For tests only: seconds added to now() from then on, so that a test can move authctl's
// clock with the test broker's (the command layer sets it from AUTHCTL_TEST_CLOCK_FILE).
void set_test_skew(int64_t seconds);

// "2026-11-22T11:22:11Z"
std::string format_rfc3339(int64_t unix_seconds);
// "Sun, 22 Nov 2026 11:22:11 GMT" (RFC 7231 IMF-fixdate); nullopt if malformed.
std::optional<int64_t> parse_http_date(std::string_view text);
// "2026-11-22T11:22:11Z", "2026-11-22T11:22:11.123Z", "...+01:00" (exactly these forms:
// four-digit year, two-digit fields, offset +HH:MM); nullopt if malformed.
std::optional<int64_t> parse_iso8601(std::string_view text);
// The times a server may give (an expiry, lastActivity, createdAt, ...) lie within
// 2000-01-01..2200-01-01; anything else is a malformed answer (design.md, "Untrusted input").
inline constexpr int64_t kEarliestServerTime = 946684800;  // 2000-01-01T00:00:00Z
inline constexpr int64_t kLatestServerTime = 7258118400;   // 2200-01-01T00:00:00Z
bool in_server_range(int64_t unix_seconds);
// A server time field: integer Unix seconds, or an ISO-8601 string (the spec says accept
// both); a float is accepted too. nullopt when malformed, not finite or outside the range
// above (checked before any conversion, so 1e90 is simply refused).
std::optional<int64_t> parse_time_value(const nlohmann::json& value);

// Durations on the command line: "90s", "5m", "1h", "1h30m", "2d", or bare seconds "90".
// nullopt when malformed or negative.
std::optional<int64_t> parse_duration(std::string_view text);
// Compact duration: "45s", "42m", "1h 5m", "3d 2h".
std::string format_duration(int64_t seconds);
// "in 42m" / "42m ago"
std::string format_relative(int64_t when, int64_t now);

}  // namespace authctl::timeutil
