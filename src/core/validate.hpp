// The alphabets of what a server hands over and the store keeps (design.md, "Untrusted
// input"): a value outside its alphabet is a malformed answer (from a server) or a corrupt
// profile (from the store), and is never sent on, stored or used to build a header.
#pragma once

#include <string>
#include <string_view>

namespace authctl::validate {

// A Neuron JWT: three non-empty base64url parts joined by '.', at most 16 KiB.
bool is_jwt(std::string_view token);
// A Nexterm session token: 96 hex digits.
bool is_session_token(std::string_view token);
// A Nexterm API key: "nxt_" and 64 hex digits.
bool is_api_key(std::string_view token);
// An RFC 6265 cookie value: cookie-octets (no CTLs, space, '"', ',', ';' or '\\'),
// optionally in double quotes; 1..4096 bytes.
bool is_cookie_value(std::string_view value);
// A user name a server may give: 1..255 bytes of valid UTF-8 without control characters.
bool is_user_name(std::string_view name);

// A profile name: 1..255 of A-Z a-z 0-9 . _ - + @ : % [ ].
bool is_profile_name(std::string_view name);
// `text` with every byte outside the profile-name alphabet (and '%' itself) written as
// %XX, so a derived name keeps the rule: "björn" -> "bj%C3%B6rn".
std::string profile_name_part(std::string_view text);

}  // namespace authctl::validate
