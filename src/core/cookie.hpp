// The Neuron web session cookie (HttpSessionID) out of what a user may paste or export.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authctl::cookie {

// Accepts: the bare value; "HttpSessionID=VALUE" (attributes after ';' ignored); a
// "Cookie:" or "Set-Cookie:" header line; or a Netscape cookies.txt file (curl -c, browser
// export) with an HttpSessionID line for `host` (the --host's host name, no port): its
// domain is that host, or a leading-dot / include-subdomains domain the host is within.
// Other sites' HttpSessionID lines are ignored. nullopt when none of these holds one. A
// value found is always an RFC 6265 cookie value (validate::is_cookie_value), unquoted.
std::optional<std::string> http_session_id(std::string_view text, std::string_view host);

}  // namespace authctl::cookie
