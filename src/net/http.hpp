// The HTTP client: the only code that includes curl.h (design.md, "HTTP layer").
// TLS verification is always on; --cacert adds a CA, --insecure turns it off loudly.
// Proxies come from the environment, but loopback never goes through one. Redirects are
// not followed. Bodies are capped at 4 MiB in the write callback. One handle is reused for
// all requests of a command, so its connections are reused.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace authctl::net {

// What perform() reports while it waits for an answer: to whom, and for how long so far.
// Whether and how to show it is the caller's (cli draws a spinner after a second).
struct Progress {
  std::string authority;  // "host:port" of the request's URL
  std::chrono::milliseconds elapsed{0};
  bool finished = false;  // the request has ended (answer or error)
};
using ProgressHook = std::function<void(const Progress&)>;

struct ClientOptions {
  std::string cacert;         // extra CA bundle (PEM), empty for the system store only
  bool insecure = false;      // skip TLS verification (warned about by the caller)
  long timeout_seconds = 30;  // whole request
  long connect_timeout_seconds = 10;
  bool trace = false;      // redacted trace on stderr
  std::string user_agent;  // "authctl/VERSION"
  // Called by perform() about every 100 ms while a request is under way, and once more with
  // `finished` when it has ended. It may throw (Ctrl-C): the transfer is then abandoned and
  // the exception passed on (no `finished` call follows).
  ProgressHook progress;
};

// Whether a TLS handshake error text from libcurl (OpenSSL's "wrong version number", GnuTLS's
// "unexpected TLS packet") means the server answered in plain HTTP.
bool tls_error_means_plain_http(std::string_view error);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;  // a "Host" header here replaces the one derived from the URL
  std::string body;
  long timeout_seconds = 0;  // whole request; 0: the client's (a long poll needs longer)
};

struct Response {
  long status = 0;
  Headers headers;  // in order received, names as sent
  std::string body;
  std::string url;  // the request URL, for messages
  // When the request went out, on the local clock (Unix seconds): with the answer's Date
  // header, how far the server's clock is from ours. The start, not the arrival: the
  // server's time then looks later rather than earlier, so a token is renewed a little
  // early and a TOTP code near the end of its step is waited out, never sent late.
  int64_t sent_at = 0;

  // First header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // The media type in lower case without parameters: "application/json".
  std::string media_type() const;
  bool is_json() const;
  // Parses the body, after checking that Content-Type says JSON; otherwise throws
  // authctl::Error(error) saying what came instead.
  nlohmann::json json() const;
  // The server's own words in the body, for errors: a text/plain body (trimmed, on one
  // line, cut to 300 bytes, without a final "."), a JSON body's "message"; "" for HTML or
  // anything else.
  std::string said() const;
  // The same, with HTML or anything else summarised: "(text/html body)".
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

  // What it was made with (a flow that finds its own sessions by User-Agent reads it).
  const ClientOptions& options() const { return options_; }

 private:
  friend class PendingRequest;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientOptions options_;
};

// One request left running while the caller does other things: a long poll that must stay
// open while a QR code is shown, other requests go out and Ctrl-C is watched. It has its own
// connection, driven in steps through libcurl's multi interface (no threads). Options,
// trace and secrets are the client's, which must outlive it.
class PendingRequest {
 public:
  explicit PendingRequest(HttpClient& client);
  ~PendingRequest();  // abandons an unfinished transfer
  PendingRequest(const PendingRequest&) = delete;
  PendingRequest& operator=(const PendingRequest&) = delete;

  // Starts sending `request`, abandoning any earlier one (the connection is kept for reuse).
  void start(Request request);
  // Lets the transfer run for at most `wait`. True once it has ended (answer or error).
  bool advance(std::chrono::milliseconds wait);
  // True once the whole request (headers and body) has been handed to the network.
  bool sent() const;
  // The answer, once advance() returned true; throws the transfer's Error (as perform()).
  Response response();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace authctl::net
