// The `api` escape hatch: an authenticated request to the profile's own server. The token is
// only ever sent to the profile's origin.
#pragma once

#include <optional>
#include <string>

#include "net/http.hpp"
#include "store/credentials.hpp"

namespace authctl::backends {

// PATH ("/api/accounts/me") or a URL of the profile's own origin, as the URL to call.
// Throws Error(usage) for anything else, before any request.
std::string api_url(const store::Profile& profile, const std::string& path_or_url);

// Sends METHOD to the URL with the profile's token; a body is sent as JSON.
net::Response api_call(net::HttpClient& http, const store::Profile& profile,
                       const std::string& method, const std::string& url,
                       const std::optional<std::string>& json_body);

// The exit code of an answer (design.md: 2xx -> 0, 401 -> 4, 429 -> 5, else 1; a Nexterm
// integer "code" in a 200 body is an error).
int api_exit_code(const store::Profile& profile, const net::Response& response);

}  // namespace authctl::backends
