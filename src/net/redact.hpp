// Redaction for the HTTP trace (-v, AUTHCTL_DEBUG=http). Case-insensitively hides header
// values and JSON fields whose names contain authorization, cookie, token, secret, password,
// signature, jwt, code or apikey, query values with such names, the token of
// nexterm://devicelink URLs, the query of otpauth:// URLs, and any value registered as a
// known secret (the password, the stored token) wherever it appears.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace authctl::net {

inline constexpr const char* kRedacted = "[REDACTED]";

bool is_secret_name(std::string_view name);
// "Authorization: Bearer x" -> "Authorization: [REDACTED]"; other lines through redact_text.
std::string redact_header_line(std::string_view line);
void redact_json(nlohmann::json& value);
// A body for the trace: JSON redacted field by field, form data key by key, other text
// through redact_text.
std::string redact_body(std::string_view body);
// URLs in free text: secret query values, devicelink tokens, otpauth queries.
std::string redact_text(std::string_view text);
// Replaces every occurrence of each known secret (at least 4 characters long).
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace authctl::net
