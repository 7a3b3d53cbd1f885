// TOTP (RFC 6238) for Nexterm: HMAC-SHA1, 6 digits, 30 s steps, base32 secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authctl::totp {

constexpr int64_t kStep = 30;

// RFC 4648 base32, case-insensitive; spaces, dashes and '=' padding ignored. nullopt when a
// character is outside the alphabet.
std::optional<std::string> base32_decode(std::string_view text);

// The raw secret bytes of what a user gives as a TOTP secret (--totp-secret-file,
// AUTHCTL_TOTP_SECRET): the base32 secret, or the otpauth:// URL the server shows
// (GET /api/accounts/totp/secret), which holds it as secret=. nullopt when that is not
// base32 or decodes to nothing; throws Error(usage) for such a URL without a secret (a
// wrong copy, or another kind of URL), so that the message does not blame base32.
std::optional<std::string> secret_from_text(std::string_view text);

// The code for `unix_time` from the raw secret bytes, zero-padded to `digits`.
std::string code_at(std::string_view secret, int64_t unix_time, int digits = 6);

// Seconds left in the step that contains unix_time (1..30).
inline int64_t seconds_left(int64_t unix_time) {
  return kStep - (unix_time % kStep);
}

}  // namespace authctl::totp
