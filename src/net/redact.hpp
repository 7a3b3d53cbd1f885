// Redaction for the HTTP trace (-v, AUTHCTL_DEBUG=http). Case-insensitively hides header
// values and JSON fields whose names contain authorization, cookie, token, secret, password,
// signature, jwt, code, apikey, session or key (or a word ending in "sid": sid, PHPSESSID),
// query values with such names, the token of nexterm://devicelink URLs, the query of
// otpauth:// URLs, and any value registered as a known secret (the password, the stored
// token) wherever it appears. One exception: the integer `code` of an answer (Nexterm's
// error codes, {"code":202}) is shown; in a request an integer code is a TOTP code.
//
// Every scanner here is linear, hand-written code: the text may be a hostile server's
// 4 MiB body, and the standard library's regex engine recurses per character (a stack
// overflow at about 100 kB).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace authctl::net {

inline constexpr const char* kRedacted = "[REDACTED]";
// The trace shows at most this much of a body, then "[N more bytes]".
inline constexpr size_t kTraceBodyLimit = 64 * 1024;

// Which way a body went: an integer `code` is a TOTP code in a request, an error code in
// an answer.
enum class Direction { request, response };

bool is_secret_name(std::string_view name);
// "Authorization: Bearer x" -> "Authorization: [REDACTED]"; other lines through redact_text.
std::string redact_header_line(std::string_view line);
// Only for JSON parsed with json_input::parse (depth-bounded): it recurses.
void redact_json(nlohmann::json& value, Direction direction = Direction::request);
// The credentials one request header carries: the value of Authorization after its scheme
// ("Bearer x" -> x), each cookie value of Cookie. The HTTP client registers them as known
// secrets itself, so a server that echoes one in a body is scrubbed from the trace too, and
// no caller has to register the token it sends.
std::vector<std::string> header_credentials(std::string_view name, std::string_view value);
// A body for the trace: JSON (within the depth bound) redacted field by field, form data
// key by key, other text (deep JSON too) through redact_text.
std::string redact_body(std::string_view body, Direction direction = Direction::request);
// URLs in free text: userinfo, secret query values, devicelink tokens, otpauth queries;
// JWT-shaped runs; "name": "value" pairs with secret names.
std::string redact_text(std::string_view text);
// Replaces every occurrence of each known secret (at least 4 characters long).
std::string scrub(std::string text, const std::vector<std::string>& secrets);
// A body as the trace shows it: the whole body redacted and scrubbed (so no secret can
// straddle the cut), then at most kTraceBodyLimit bytes of that, made printable, then
// " [N more bytes]" when N bytes of the redacted text were left out.
std::string trace_body(std::string_view body, Direction direction,
                       const std::vector<std::string>& secrets);

}  // namespace authctl::net
