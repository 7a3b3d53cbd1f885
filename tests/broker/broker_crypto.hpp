// Small OpenSSL helpers for the test broker (Base64, HMAC, random bytes, JWT pieces).
// Written independently of src/core on purpose: a bug in the client's crypto must not be
// mirrored here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace testbroker::crypto {

std::string base64(const std::string& bytes);     // standard alphabet, '=' padding
std::string base64url(const std::string& bytes);  // URL alphabet, no padding
// Decodes base64url (no padding expected, padding tolerated). nullopt when malformed.
std::optional<std::string> base64url_decode(const std::string& text);

std::string hmac_sha256(const std::string& key, const std::string& data);  // raw 32 bytes
// Base64(HMAC-SHA256(key, data)): the Neuron signature.
std::string sign(const std::string& key, const std::string& data);

std::string random_bytes(size_t n);
std::string random_token(size_t n_bytes);  // base64url of n random bytes
int random_int(int lo, int hi);            // uniform in [lo, hi]

bool equal_constant_time(const std::string& a, const std::string& b);

}  // namespace testbroker::crypto
