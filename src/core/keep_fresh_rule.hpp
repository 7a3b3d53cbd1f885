// When a token kept fresh for long-running work (token --watch, exec --keep-fresh) is
// renewed (design.md, "Tokens and refresh"): once less than max(min-valid, a third of the
// token's lifetime) is left, asking for the profile's own `seconds`. Pure: times are passed in.
#pragma once

#include <cstdint>
#include <optional>

namespace authctl::keep_fresh_rule {

// The wall clock is looked at least this often while waiting for a renewal, so that a
// machine that slept past a deadline renews at once when it wakes (issue 13, point 4).
constexpr int64_t kMaxSleepSeconds = 30;
// Retries of a renewal that failed for a network reason or 5xx: 1 s doubling up to 60 s.
constexpr int64_t kFirstRetrySeconds = 1;
constexpr int64_t kMaxRetrySeconds = 60;

// The lifetime of the stored token: expires - issued_at when the profile recorded when it
// was issued (both server times), else the profile's `seconds` (stores written before
// issued_at). Never below 1.
inline int64_t lifetime(int64_t expires, const std::optional<int64_t>& issued_at,
                        int64_t profile_seconds) {
  const int64_t life = issued_at && *issued_at < expires ? expires - *issued_at : profile_seconds;
  return life > 0 ? life : 1;
}

// How much must still be left when a renewal is due: max(min_valid, lifetime / 3).
inline int64_t renew_margin(int64_t lifetime_seconds, int64_t min_valid) {
  const int64_t third = lifetime_seconds / 3;
  return min_valid > third ? min_valid : third;
}

// The first server time (whole seconds) at which the token is due for renewal.
inline int64_t renew_at(int64_t expires, int64_t lifetime_seconds, int64_t min_valid) {
  return expires - renew_margin(lifetime_seconds, min_valid) + 1;
}

// Whether a token expiring at `expires` is due for renewal at `server_now`.
inline bool renew_due(int64_t expires, int64_t lifetime_seconds, int64_t min_valid,
                      int64_t server_now) {
  return expires - server_now < renew_margin(lifetime_seconds, min_valid);
}

// --min-valid must be under half the lifetime the profile asks for (else a renewed token
// would be due again at once): false means a usage error.
inline bool min_valid_allowed(int64_t min_valid, int64_t profile_seconds) {
  return min_valid >= 0 && min_valid * 2 < profile_seconds;
}

// The wait before retry number `attempt` (0 for the first retry): 1, 2, 4, ... 60 s.
inline int64_t retry_delay(int attempt) {
  int64_t delay = kFirstRetrySeconds;
  for (int i = 0; i < attempt && delay < kMaxRetrySeconds; ++i) delay *= 2;
  return delay < kMaxRetrySeconds ? delay : kMaxRetrySeconds;
}

// How long to sleep until `deadline` (a server time) from `server_now`: never more than
// kMaxSleepSeconds (the wall clock is looked at again then), never negative.
inline int64_t sleep_before(int64_t deadline, int64_t server_now) {
  const int64_t wait = deadline - server_now;
  if (wait <= 0) return 0;
  return wait < kMaxSleepSeconds ? wait : kMaxSleepSeconds;
}

}  // namespace authctl::keep_fresh_rule
