// Helpers of the test broker's Nexterm server that several of its files use (nexterm.cpp,
// nexterm_endpoints.cpp, nexterm_passkeys.cpp, nexterm_validation.cpp); they are defined in
// nexterm.cpp.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace testbroker {
namespace nexterm_detail {

// Ordered: answers keep their keys in the order Express would write them, and the first
// unknown property of a body is the first one sent.
using json = nlohmann::ordered_json;
using httplib::Request;
using httplib::Response;

// --- small helpers --------------------------------------------------------------------------

std::string random_hex(size_t n_bytes);
std::string base32_encode(const std::string& bytes);
std::string totp_at(const std::string& secret_base32, int64_t unix_seconds);
std::string iso_ms(int64_t ms);
std::string lower(std::string s);
bool all_digits(const std::string& s);

}  // namespace nexterm_detail
}  // namespace testbroker
