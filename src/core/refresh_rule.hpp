// When a Neuron token must be refreshed and for how long (design.md, "Tokens and refresh").
#pragma once

#include <cstdint>
#include <optional>

namespace authctl::refresh_rule {

constexpr int64_t kMaxSeconds = 3600;      // Neuron's limit on token lifetime
constexpr int64_t kMaxMinValid = 55 * 60;  // above this, --min-valid is a usage error
constexpr int64_t kMargin = 5 * 60;        // asked on top of min-valid when refreshing

// server_now = local_now + clock_offset (offset taken from the server's Date at issue time).
inline bool needs_refresh(int64_t expires, int64_t local_now, int64_t clock_offset,
                          int64_t min_valid) {
  return expires - (local_now + clock_offset) < min_valid;
}

inline bool expired(int64_t expires, int64_t local_now, int64_t clock_offset) {
  return expires <= local_now + clock_offset;
}

// Whether a stored token (expires: none for tokens that do not expire) needs no request to be
// valid for min_valid seconds.
inline bool fresh_enough(const std::optional<int64_t>& expires, int64_t clock_offset,
                         int64_t min_valid, int64_t local_now) {
  return !expires || !needs_refresh(*expires, local_now, clock_offset, min_valid);
}

// max(profile seconds, min-valid + 5m), capped at 3600.
inline int64_t seconds_to_ask(int64_t profile_seconds, int64_t min_valid) {
  int64_t wanted = profile_seconds > min_valid + kMargin ? profile_seconds : min_valid + kMargin;
  return wanted > kMaxSeconds ? kMaxSeconds : wanted;
}

}  // namespace authctl::refresh_rule
