// libFuzzer harness: durations from the command line (--seconds, --min-left, ...). Any
// input gives a duration or nullopt; what parses is non-negative and within the int32 bound
// the parser promises, and formats without a crash.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/timeutil.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto seconds = authctl::timeutil::parse_duration(input);
  if (!seconds) return 0;
  if (*seconds < 0 || *seconds > std::numeric_limits<int32_t>::max()) abort();
  const std::string shown = authctl::timeutil::format_duration(*seconds);
  if (shown.empty()) abort();
  // The compact form of a duration reads back as a duration (its units are the parser's).
  std::string compact;
  for (char c : shown)
    if (c != ' ') compact += c;
  if (!authctl::timeutil::parse_duration(compact)) abort();
  authctl::timeutil::format_relative(*seconds, 0);
  return 0;
}
