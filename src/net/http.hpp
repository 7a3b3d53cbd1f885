// The HTTP client: the only code that includes curl.h (design.md, "HTTP layer").
// TLS verification is always on; --cacert adds a CA, --insecure turns it off loudly.
// Proxies come from the environment, but loopback never goes through one. Redirects are
// not followed. Bodies are capped at 4 MiB in the write callback. One handle is reused for
// all requests of a command, so its connections are reused.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace authctl::net {

struct ClientOptions {
  std::string cacert;         // extra CA bundle (PEM), empty for the system store only
  bool insecure = false;      // skip TLS verification (warned about by the caller)
  long timeout_seconds = 30;  // whole request
  long connect_timeout_seconds = 10;
  bool trace = false;      // redacted trace on stderr
  std::string user_agent;  // "authctl/VERSION"
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;  // a "Host" header here replaces the one derived from the URL
  std::string body;
};

struct Response {
  long status = 0;
  Headers headers;  // in order received, names as sent
  std::string body;
  std::string url;  // the request URL, for messages

  // First header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // The media type in lower case without parameters: "application/json".
  std::string media_type() const;
  bool is_json() const;
  // Parses the body, after checking that Content-Type says JSON; otherwise throws
  // authctl::Error(error) saying what came instead.
  nlohmann::json json() const;
  // The body as a one-line message for errors: text/plain bodies as they are (trimmed),
  // HTML or anything else summarised.
  std::string error_text() const;
  // "HTTP 404 text/html", for messages about unexpected answers.
  std::string summary() const;
};

// The result of one request of a batch: an answer, or the error that stopped it.
struct Outcome {
  std::optional<Response> response;
  std::optional<Error> error;
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request. Transport failures throw authctl::Error: network (3) for DNS,
  // refused, timeout, TLS; error (1) for an over-long body. HTTP errors are returned.
  Response perform(const Request& request);

  // Sends all requests with at most `parallel` in flight (libcurl's multi interface, one
  // connection each, reused). Outcomes are in the order of `requests`; nothing throws for
  // a single failed request.
  std::vector<Outcome> perform_all(const std::vector<Request>& requests, int parallel);

  // Values to hide from the trace wherever they appear (passwords, tokens).
  void add_secret(std::string secret);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientOptions options_;
};

}  // namespace authctl::net
