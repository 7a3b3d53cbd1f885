// The `api` escape hatch: an authenticated request to the profile's own server. The token is
// only ever sent to the profile's origin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/http.hpp"
#include "store/credentials.hpp"

namespace authctl::backends {

// PATH ("/api/accounts/me") or a URL of the profile's own origin, as the URL to call.
// Throws Error(usage) for anything else, before any request.
std::string api_url(const store::Profile& profile, const std::string& path_or_url);

// What the server answered, as the command shows it. The body is the server's, unchanged.
struct ApiAnswer {
  long status = 0;
  // "Name: value" per header, with credentials (Set-Cookie, Authorization, ...) redacted;
  // still the server's bytes otherwise (escape them for a terminal).
  std::vector<std::string> header_lines;
  std::string body;
  std::string summary;  // "HTTP 404 (text/html)", for messages
  int exit_code = 0;    // api_exit_code
};

// Sends METHOD to the URL with the profile's token over an HTTP client of its own made with
// `options`; a body is sent as JSON.
ApiAnswer api_call(net::ClientOptions options, const store::Profile& profile,
                   const std::string& method, const std::string& url,
                   const std::optional<std::string>& json_body);

// The exit code of an answer (design.md: 2xx -> 0, 401 -> 4, 429 -> 5, else 1; a Nexterm
// integer "code" in a 200 body is an error).
int api_exit_code(const store::Profile& profile, const net::Response& response);

// The answer as api_call gives it (pure: tests feed it responses).
ApiAnswer api_answer(const store::Profile& profile, const net::Response& response);

}  // namespace authctl::backends
