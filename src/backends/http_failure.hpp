// The one mapping from an HTTP status to what went wrong, shared by both servers' clients
// and the Neuron event channel. Each client first handles the statuses its server means
// in its own way (Neuron's 403 for a wrong password, Nexterm's codes in 200 bodies).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "net/http.hpp"

namespace authctl::backends {

struct StatusMeaning {
  ExitCode code;
  Reason reason;
};

// 3xx redirected (authctl follows none), 401 session_ended, 403 forbidden, 429
// rate_limited, 5xx server_error, any other status request_refused.
StatusMeaning status_meaning(int status);

// Retry-After in seconds when it is a sane number (at most 9 digits: under 32 years);
// anything longer, or an HTTP date, is nullopt ("a while": a hostile value must not throw).
std::optional<int64_t> retry_after_seconds(const std::string& value);

// Throws the Error of the failed answer `r` of `server`, with `status` (r's, or the one a
// body gave) as status_meaning() reads it. `what` names the action ("refresh"), `said` is
// the server's own words for it.
[[noreturn]] void throw_status(const net::Response& r, int status, const std::string& server,
                               const std::string& what, const std::string& said);

}  // namespace authctl::backends
