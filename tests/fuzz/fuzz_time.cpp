// libFuzzer harness: the times a server sends (core/timeutil): ISO-8601 / RFC 3339 strings,
// HTTP dates, and a JSON time field made of the input as a string and as a number. None may
// crash or read out of bounds; a parsed RFC 3339 time formats and parses back to itself,
// and parse_time_value only ever gives times within the server range.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json_input.hpp"
#include "core/timeutil.hpp"

namespace tu = authctl::timeutil;

namespace {

// Years 0000..9999: what format_rfc3339 can write in four digits (parse_iso8601 may reach a
// day beyond either end through its offset).
constexpr int64_t kYear0 = -62167219200;      // 0000-01-01T00:00:00Z
constexpr int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z

void check_time_value(const nlohmann::json& value) {
  const auto when = tu::parse_time_value(value);
  if (when && !tu::in_server_range(*when)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto when = tu::parse_iso8601(input); when && *when >= kYear0 && *when < kYear10000) {
    const std::string written = tu::format_rfc3339(*when);
    if (tu::parse_iso8601(written) != when) abort();
  }
  if (const auto date = tu::parse_http_date(input); date && !tu::in_server_range(*date)) abort();
  check_time_value(nlohmann::json(input));
  // The input as a JSON number (or whatever JSON it is), parsed as a server's answer is.
  const authctl::json_input::Parsed parsed = authctl::json_input::parse(input);
  if (parsed.ok()) check_time_value(parsed.value);
  return 0;
}
