#include "backends/http_failure.hpp"

#include "core/text.hpp"

namespace authctl::backends {

StatusMeaning status_meaning(int status) {
  if (status >= 300 && status < 400) return {ExitCode::error, Reason::redirected};
  if (status == 401) return {ExitCode::auth, Reason::session_ended};
  if (status == 403) return {ExitCode::auth, Reason::forbidden};
  if (status == 429) return {ExitCode::rate_limited, Reason::rate_limited};
  if (status >= 500) return {ExitCode::error, Reason::server_error};
  return {ExitCode::error, Reason::request_refused};
}

std::optional<int64_t> retry_after_seconds(const std::string& value) {
  if (value.empty() || value.size() > 9 ||
      value.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t seconds = 0;
  for (char c : value) seconds = seconds * 10 + (c - '0');
  return seconds;
}

void throw_status(const net::Response& r, int status_code, const std::string& server,
                  const std::string& what, const std::string& said) {
  const StatusMeaning meaning = status_meaning(status_code);
  const std::string status = "HTTP " + std::to_string(status_code);
  ErrorFacts facts{server, {}, std::nullopt};
  switch (meaning.reason) {
    case Reason::redirected:
      facts.detail = r.header("Location");
      throw Error(meaning.code,
                  server + " answered " + status + " (a redirect to " + facts.detail +
                      "), which authctl does not follow",
                  meaning.reason, facts);
    case Reason::rate_limited:
      facts.seconds = retry_after_seconds(r.header("Retry-After"));
      throw Error(meaning.code,
                  text::with_server_text(server + " is rate limiting this client", said),
                  meaning.reason, facts);
    case Reason::session_ended:
    case Reason::forbidden:
      throw Error(meaning.code, text::with_server_text(what + " refused by " + server, said),
                  meaning.reason, facts);
    default: {
      // Without words of its own (an HTML page), the answer's media type says what came.
      std::string answered = what + " failed: " + server + " answered " + status;
      if (said.empty() && !r.body.empty())
        answered += " with " + (r.media_type().empty() ? "no Content-Type" : r.media_type());
      throw Error(meaning.code, text::with_server_text(answered, said), meaning.reason, facts);
    }
  }
}

}  // namespace authctl::backends
