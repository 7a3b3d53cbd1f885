#include "core/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/error.hpp"

namespace authctl::totp {

std::optional<std::string> base32_decode(std::string_view text) {
  static const std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == ' ' || raw == '-' || raw == '=' || raw == '\n' || raw == '\r' || raw == '\t')
      continue;
    char c = static_cast<char>(toupper(static_cast<unsigned char>(raw)));
    auto value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

namespace {

// The value of the query parameter `secret` of an otpauth:// URL; nullopt when there is
// none. A view, not a copy: no second copy of the secret is left in memory.
std::optional<std::string_view> otpauth_secret(std::string_view url) {
  const size_t query = url.find('?');
  if (query == std::string_view::npos) return std::nullopt;
  for (size_t at = query + 1; at < url.size();) {
    const size_t end = std::min(url.find('&', at), url.size());
    const std::string_view parameter = url.substr(at, end - at);
    if (parameter.substr(0, 7) == "secret=") return parameter.substr(7);
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> secret_from_text(std::string_view text) {
  if (text.rfind("otpauth://", 0) == 0) {
    const std::optional<std::string_view> secret = otpauth_secret(text);
    if (!secret || secret->empty())
      throw Error(ExitCode::usage,
                  "the otpauth:// URL given as the TOTP secret holds no secret (no secret= "
                  "value): copy the whole URL the server shows, or the secret alone",
                  Reason::none);
    text = *secret;
  }
  auto secret = base32_decode(text);
  if (!secret || secret->empty()) return std::nullopt;
  return secret;
}

std::string code_at(std::string_view secret, int64_t unix_time, int digits) {
  uint64_t counter = static_cast<uint64_t>(unix_time / kStep);
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message, sizeof message,
            mac, &len) ||
      len < 20) {
    throw Error(ExitCode::error, "HMAC-SHA1 failed in OpenSSL");
  }
  int offset = mac[len - 1] & 0x0f;  // dynamic truncation (RFC 4226 section 5.3)
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                    static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  char buf[16];
  snprintf(buf, sizeof buf, "%0*u", digits, binary % modulus);
  return buf;
}

}  // namespace authctl::totp
