// Crypto and encoding primitives, all through OpenSSL: Base64 (standard and URL-safe),
// HMAC-SHA256, CSPRNG bytes, and best-effort wiping of secret buffers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authctl::crypto {

std::string base64_encode(std::string_view bytes);
// Standard Base64 with padding; nullopt when the input is not valid Base64.
std::optional<std::string> base64_decode(std::string_view text);
// URL-safe Base64 without padding (JWT segments, WebAuthn), via the standard alphabet.
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);

std::string sha256(std::string_view data);  // raw 32 bytes

std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Base64(HMAC-SHA256(UTF-8 key, UTF-8 data)): the Neuron signature.
std::string hmac_sha256_base64(std::string_view key, std::string_view data);

std::string random_bytes(size_t count);  // throws authctl::Error if the CSPRNG fails
// Neuron nonce: Base64 of 32 CSPRNG bytes (44 characters).
std::string make_nonce();

void wipe(std::string& secret);  // OPENSSL_cleanse, then clear

}  // namespace authctl::crypto
