#include "backends/api_call.hpp"

#include "backends/nexterm.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "net/redact.hpp"

namespace authctl::backends {

std::string api_url(const store::Profile& profile, const std::string& path_or_url) {
  if (!path_or_url.empty() && path_or_url[0] == '/') return profile.url + path_or_url;
  auto scheme = path_or_url.find("://");
  if (scheme != std::string::npos) {
    auto path_start = path_or_url.find('/', scheme + 3);
    std::string origin = path_or_url.substr(0, path_start);
    try {
      // Same scheme, host and port as the profile (compared in normal form).
      if (parse_host(origin, true).origin == parse_host(profile.url, true).origin)
        return profile.url +
               (path_start == std::string::npos ? "/" : path_or_url.substr(path_start));
    } catch (const Error&) {
    }
    throw Error(ExitCode::usage, path_or_url + " is not on " + profile.url,
                Reason::api_path_elsewhere);
  }
  throw Error(ExitCode::usage, "'" + path_or_url + "' is neither a /PATH nor a URL",
              Reason::api_path);
}

ApiAnswer api_call(net::ClientOptions options, const store::Profile& profile,
                   const std::string& method, const std::string& url,
                   const std::optional<std::string>& json_body) {
  net::HttpClient http(std::move(options));
  http.add_secret(profile.token);
  net::Request request;
  request.method = method;
  request.url = url;
  request.headers = {{"Accept", "application/json"}, {"Authorization", "Bearer " + profile.token}};
  if (json_body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = *json_body;
  }
  return api_answer(profile, http.perform(request));
}

int api_exit_code(const store::Profile& profile, const net::Response& response) {
  if (response.status == 401) return static_cast<int>(ExitCode::auth);
  if (response.status == 429) return static_cast<int>(ExitCode::rate_limited);
  if (response.status < 200 || response.status >= 300) return static_cast<int>(ExitCode::error);
  if (profile.kind == store::Kind::nexterm) {
    if (auto soft = soft_error(response))
      return soft->code == 429 ? static_cast<int>(ExitCode::rate_limited)
                               : static_cast<int>(ExitCode::error);
  }
  return 0;
}

ApiAnswer api_answer(const store::Profile& profile, const net::Response& response) {
  ApiAnswer answer;
  answer.status = response.status;
  for (const auto& [name, value] : response.headers)
    answer.header_lines.push_back(net::redact_header_line(name + ": " + value));
  answer.body = response.body;
  answer.summary = response.summary();
  answer.exit_code = api_exit_code(profile, response);
  return answer;
}

}  // namespace authctl::backends
