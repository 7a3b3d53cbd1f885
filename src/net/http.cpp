#include "net/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/error.hpp"
#include "core/json_input.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "net/redact.hpp"

namespace authctl::net {

namespace {

constexpr size_t kMaxBody = 4 * 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

struct Transfer {
  Response* response = nullptr;
  bool too_large = false;
  const std::vector<std::string>* secrets = nullptr;
  const std::string* request_body = nullptr;  // traced whole, once, when sending starts
  bool request_body_traced = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  // CURLOPT_MAXFILESIZE does not stop chunked bodies in libcurl 7.88: cap here.
  if (t->response->body.size() + n > kMaxBody) {
    t->too_large = true;
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (e.g. after 100 Continue)
    return n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos)
    t->response->headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  return n;
}

void trace_line(const std::string& prefix, std::string_view line, const Transfer& t) {
  std::string shown = text::printable(scrub(redact_header_line(line), *t.secrets));
  std::cerr << prefix << shown << "\n";
}

// The trace is a debug callback (as in curl's tool_cb_dbg.c); redaction happens here, so
// nothing unredacted is ever formatted. Bodies are traced once each (at most 64 KiB of
// them), the request's when sending starts and the answer's when it has all arrived.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view text(data, size);
  const char* prefix = nullptr;
  switch (type) {
    case CURLINFO_TEXT:
      prefix = "* ";
      break;
    case CURLINFO_HEADER_OUT:
      prefix = "> ";
      break;
    case CURLINFO_HEADER_IN:
      prefix = "< ";
      break;
    case CURLINFO_DATA_OUT:
      if (!t->request_body_traced && t->request_body && !t->request_body->empty()) {
        t->request_body_traced = true;
        std::cerr << "> [body] " << trace_body(*t->request_body, Direction::request, *t->secrets)
                  << "\n";
      }
      return 0;
    default:
      return 0;
  }
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) trace_line(prefix, line, *t);
    start = end + 1;
  }
  return 0;
}

std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string no_proxy_list() {
  std::string list;
  for (const char* name : {"NO_PROXY", "no_proxy"}) {
    if (const char* v = getenv(name); v && *v) {
      list = v;
      break;
    }
  }
  if (list == "*") return list;
  if (!list.empty()) list += ",";
  return list + "localhost,127.0.0.0/8,::1";
}

}  // namespace

std::string Response::header(std::string_view name) const {
  std::string wanted = lower(name);
  for (const auto& [k, v] : headers)
    if (lower(k) == wanted) return v;
  return {};
}

std::string Response::media_type() const {
  std::string type = lower(header("Content-Type"));
  if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  return trim(type);
}

bool Response::is_json() const {
  std::string type = media_type();
  return type == "application/json" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

nlohmann::json Response::json() const {
  const std::string host = host_of(url);
  if (!is_json()) {
    std::string type = media_type().empty() ? "no Content-Type" : media_type();
    throw Error(ExitCode::error,
                host + " answered HTTP " + std::to_string(status) + " with " + type +
                    " where JSON was expected",
                Reason::not_json, ErrorFacts{host, {}, std::nullopt});
  }
  auto parsed = json_input::parse(body);
  if (parsed.problem == json_input::Problem::too_deep)
    throw Error(ExitCode::error,
                host + " sent an unexpected answer: " + json_input::describe(parsed),
                Reason::misbehaving, ErrorFacts{host, {}, std::nullopt});
  if (!parsed.ok())
    throw Error(ExitCode::error,
                host + " answered malformed JSON (HTTP " + std::to_string(status) + ")",
                Reason::misbehaving, ErrorFacts{host, {}, std::nullopt});
  return std::move(parsed.value);
}

std::string Response::summary() const {
  return "HTTP " + std::to_string(status) + " " +
         (media_type().empty() ? std::string("no Content-Type") : media_type());
}

std::string Response::error_text() const {
  const std::string words = said();
  if (!words.empty() || body.empty()) return words;
  const std::string type = media_type();
  return "(" + (type.empty() ? std::string("no Content-Type") : type) + " body)";
}

std::string Response::said() const {
  std::string type = media_type();
  if (type == "text/plain" || type.empty()) {
    std::string text = trim(body);
    for (char& c : text)
      if (c == '\n' || c == '\r') c = ' ';
    // Whole: with_server_text cuts it (on a character boundary, with its mark).
    if (!text.empty() && text.back() == '.') text.pop_back();  // our line goes on after it
    return text;
  }
  if (is_json()) {
    auto parsed = json_input::parse(body);  // a deep or broken body is summarised below
    const nlohmann::json& doc = parsed.value;
    if (parsed.ok() && doc.is_object() && doc.contains("message") && doc["message"].is_string())
      return doc["message"].get<std::string>();
  }
  return {};
}

// One transfer in flight: the request, where its answer goes, and the easy handle's
// header list, kept alive until the transfer ends.
struct Exchange {
  const Request* request = nullptr;
  Response response;
  Transfer transfer;
  curl_slist* headers = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::string no_proxy;
  ~Exchange() { curl_slist_free_all(headers); }
};

struct HttpClient::Impl {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;   // perform() runs `easy` here, so it can report progress
  std::vector<CURL*> pool;  // for perform_all; kept so connections are reused across calls
  std::vector<std::string> secrets;
};

HttpClient::HttpClient(ClientOptions options) : impl_(new Impl), options_(std::move(options)) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw Error(ExitCode::error, "libcurl failed to initialise");
  impl_->easy = curl_easy_init();
  impl_->multi = curl_multi_init();
  if (!impl_->easy || !impl_->multi) {  // the destructor does not run for a throwing constructor
    if (impl_->easy) curl_easy_cleanup(impl_->easy);
    if (impl_->multi) curl_multi_cleanup(impl_->multi);
    throw Error(ExitCode::error, "libcurl failed to initialise");
  }
}

HttpClient::~HttpClient() {
  curl_multi_cleanup(impl_->multi);
  curl_easy_cleanup(impl_->easy);
  for (CURL* e : impl_->pool) curl_easy_cleanup(e);
  for (auto& s : impl_->secrets) std::fill(s.begin(), s.end(), '\0');
}

namespace {

// Once each: a watcher that refreshes for days must not grow the list with every request.
void remember_secret(std::vector<std::string>& secrets, std::string secret) {
  if (secret.empty() || std::find(secrets.begin(), secrets.end(), secret) != secrets.end()) return;
  secrets.push_back(std::move(secret));
}

// The credentials a request sends in its headers are secrets of this client from now on.
void remember_header_secrets(std::vector<std::string>& secrets, const Request& request) {
  for (const auto& [name, value] : request.headers)
    for (auto& credential : header_credentials(name, value))
      remember_secret(secrets, std::move(credential));
}

}  // namespace

void HttpClient::add_secret(std::string secret) {
  remember_secret(impl_->secrets, std::move(secret));
}

namespace {

// Sets every option of one request on `easy` (reset first: the connection cache survives).
void prepare(CURL* easy, const ClientOptions& options, Exchange& x) {
  const Request& request = *x.request;
  curl_easy_reset(easy);
  x.response.url = request.url;
  x.response.sent_at = timeutil::now();
  x.transfer.response = &x.response;
  x.transfer.request_body = &request.body;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x.errbuf);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT,
                   request.timeout_seconds > 0 ? request.timeout_seconds : options.timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
  if (!options.cacert.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.cacert.c_str());
  x.no_proxy = no_proxy_list();
  curl_easy_setopt(easy, CURLOPT_NOPROXY, x.no_proxy.c_str());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &x.transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &x.transfer);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &x);
  if (options.trace) {
    curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &x.transfer);
    curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  }
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  for (const auto& [k, v] : request.headers)
    x.headers = curl_slist_append(x.headers, (k + ": " + v).c_str());
  x.headers = curl_slist_append(x.headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x.headers);
}

// The authctl::Error for a failed transfer (network: exit 3; over-long body: exit 1).
Error transfer_error(CURLcode rc, const Exchange& x, const ClientOptions& options) {
  const std::string host = host_of(x.request->url);
  std::string detail = x.errbuf[0] ? x.errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_WRITE_ERROR:
      if (x.transfer.too_large)
        return Error(ExitCode::error, host + " sent an answer larger than 4 MiB", Reason::too_large,
                     ErrorFacts{host, {}, std::nullopt});
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Error(ExitCode::network, "cannot resolve " + host + ": " + detail,
                   Reason::cannot_resolve, ErrorFacts{host, {}, std::nullopt});
    case CURLE_COULDNT_CONNECT:
      return Error(ExitCode::network, "cannot connect to " + host + ": " + detail,
                   Reason::cannot_connect, ErrorFacts{host, {}, std::nullopt});
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ExitCode::network, "request to " + host + " timed out (" + detail + ")",
                   Reason::timed_out, ErrorFacts{host, {}, std::nullopt});
    case CURLE_SSL_CACERT_BADFILE:
      return Error(ExitCode::error, "cannot use the CA file " + options.cacert + ": " + detail,
                   Reason::cacert_unusable, ErrorFacts{options.cacert, {}, std::nullopt});
    case CURLE_SSL_CONNECT_ERROR:
      if (tls_error_means_plain_http(detail))  // the library's words only when tracing
        return Error(ExitCode::network,
                     host + " speaks plain HTTP" + (options.trace ? " (" + detail + ")" : ""),
                     Reason::plain_http_server, ErrorFacts{host, {}, std::nullopt});
      return Error(ExitCode::network, "TLS handshake with " + host + " failed: " + detail,
                   Reason::tls_handshake, ErrorFacts{host, {}, std::nullopt});
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
      return Error(ExitCode::network,
                   "the TLS certificate of " + host + " is not trusted: " + detail,
                   Reason::tls_untrusted, ErrorFacts{host, {}, std::nullopt});
    case CURLE_GOT_NOTHING:
      return Error(ExitCode::network, host + " closed the connection without answering",
                   Reason::connection_closed, ErrorFacts{host, {}, std::nullopt});
    default:
      break;
  }
  return Error(ExitCode::network, "request to " + host + " failed: " + detail,
               Reason::network_failed, ErrorFacts{host, {}, std::nullopt});
}

void trace_response_body(const ClientOptions& options, const Exchange& x,
                         const std::vector<std::string>& secrets) {
  if (options.trace && !x.response.body.empty())
    std::cerr << "< [body] " << trace_body(x.response.body, Direction::response, secrets) << "\n";
}

}  // namespace

namespace {

// Takes `easy` out of `multi` when the transfer ends, however it ends. An easy handle that
// could not be added would never report done: that is an error at once.
struct MultiMember {
  CURLM* multi;
  CURL* easy;
  MultiMember(CURLM* m, CURL* e) : multi(m), easy(e) {
    if (curl_multi_add_handle(multi, easy) != CURLM_OK)
      throw Error(ExitCode::error, "the HTTP client could not start a request", "retry");
  }
  ~MultiMember() { curl_multi_remove_handle(multi, easy); }
  MultiMember(const MultiMember&) = delete;
  MultiMember& operator=(const MultiMember&) = delete;
};

// Runs the prepared transfer of `easy` to its end through `multi`, telling options.progress
// how long it has taken about every 100 ms (what curl_easy_perform does, less the reports).
CURLcode run_reporting(CURLM* multi, CURL* easy, const ClientOptions& options,
                       const std::string& authority) {
  const MultiMember member(multi, easy);
  const auto start = std::chrono::steady_clock::now();
  auto report = [&](bool finished) {
    if (!options.progress) return;
    options.progress({authority,
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start),
                      finished});
  };
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) return CURLE_FAILED_INIT;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE || msg->easy_handle != easy) continue;
      const CURLcode result = msg->data.result;
      report(true);
      return result;
    }
    if (curl_multi_poll(multi, nullptr, 0, 100, nullptr) != CURLM_OK) return CURLE_FAILED_INIT;
    report(false);
  }
}

}  // namespace

bool tls_error_means_plain_http(std::string_view error) {
  const std::string text = lower(error);
  for (const char* sign : {"wrong version number", "packet length too long",
                           "unexpected tls packet", "packet with unexpected length"})
    if (text.find(sign) != std::string::npos) return true;
  return false;
}

Response HttpClient::perform(const Request& request) {
  remember_header_secrets(impl_->secrets, request);
  Exchange x;
  x.request = &request;
  x.transfer.secrets = &impl_->secrets;
  prepare(impl_->easy, options_, x);
  CURLcode rc = run_reporting(impl_->multi, impl_->easy, options_, host_of(request.url));
  curl_easy_getinfo(impl_->easy, CURLINFO_RESPONSE_CODE, &x.response.status);
  trace_response_body(options_, x, impl_->secrets);
  if (rc != CURLE_OK) throw transfer_error(rc, x, options_);
  return std::move(x.response);
}

std::vector<Outcome> HttpClient::perform_all(const std::vector<Request>& requests, int parallel) {
  if (parallel < 1) parallel = 1;
  for (const Request& request : requests) remember_header_secrets(impl_->secrets, request);
  std::vector<Outcome> outcomes(requests.size());
  std::vector<Exchange> exchanges(requests.size());
  CURLM* multi = curl_multi_init();
  if (!multi) throw Error(ExitCode::error, "libcurl failed to initialise");
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(parallel));
  while (impl_->pool.size() < static_cast<size_t>(parallel)) {
    CURL* e = curl_easy_init();
    if (!e) break;
    impl_->pool.push_back(e);
  }
  std::vector<CURL*> idle(impl_->pool.rbegin(), impl_->pool.rend());
  size_t next = 0, running_count = 0;
  auto start_next = [&] {
    while (next < requests.size() && !idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      Exchange& x = exchanges[next];
      x.request = &requests[next];
      x.transfer.secrets = &impl_->secrets;
      prepare(easy, options_, x);
      curl_multi_add_handle(multi, easy);
      ++next;
      ++running_count;
    }
  };
  start_next();
  while (running_count > 0) {
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      Exchange* x = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &x);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->response.status);
      const size_t index = static_cast<size_t>(x - exchanges.data());
      trace_response_body(options_, *x, impl_->secrets);
      if (msg->data.result == CURLE_OK) {
        outcomes[index].response = std::move(x->response);
      } else {
        outcomes[index].error = transfer_error(msg->data.result, *x, options_);
      }
      curl_multi_remove_handle(multi, easy);
      idle.push_back(easy);
      --running_count;
    }
    start_next();
    if (running_count > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  curl_multi_cleanup(multi);
  return outcomes;
}

struct PendingRequest::State {
  const ClientOptions* options = nullptr;
  std::vector<std::string>* secrets = nullptr;
  Request request;
  Exchange exchange;
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  bool added = false;  // easy is in multi
  bool done = false;
  CURLcode result = CURLE_OK;

  // One round of libcurl work; notes the end of the transfer.
  void perform() {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      done = true;
      result = msg->data.result;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &exchange.response.status);
      trace_response_body(*options, exchange, *secrets);
    }
  }
};

PendingRequest::PendingRequest(HttpClient& client) : state_(new State) {
  State& s = *state_;
  s.options = &client.options_;
  s.secrets = &client.impl_->secrets;
  s.easy = curl_easy_init();
  s.multi = curl_multi_init();
  if (!s.easy || !s.multi) {  // the destructor does not run for a throwing constructor
    if (s.easy) curl_easy_cleanup(s.easy);
    if (s.multi) curl_multi_cleanup(s.multi);
    throw Error(ExitCode::error, "libcurl failed to initialise");
  }
}

PendingRequest::~PendingRequest() {
  if (state_->multi && state_->easy && state_->added)
    curl_multi_remove_handle(state_->multi, state_->easy);
  if (state_->easy) curl_easy_cleanup(state_->easy);
  if (state_->multi) curl_multi_cleanup(state_->multi);
}

void PendingRequest::start(Request request) {
  State& s = *state_;
  if (s.added) curl_multi_remove_handle(s.multi, s.easy);
  s.added = false;
  s.done = false;
  s.result = CURLE_OK;
  s.request = std::move(request);
  remember_header_secrets(*s.secrets, s.request);
  curl_slist_free_all(s.exchange.headers);
  s.exchange.headers = nullptr;
  s.exchange.response = Response{};
  s.exchange.transfer = Transfer{};
  s.exchange.errbuf[0] = '\0';
  s.exchange.request = &s.request;
  s.exchange.transfer.secrets = s.secrets;
  prepare(s.easy, *s.options, s.exchange);
  curl_multi_add_handle(s.multi, s.easy);
  s.added = true;
  s.perform();
}

bool PendingRequest::advance(std::chrono::milliseconds wait) {
  State& s = *state_;
  const auto until = std::chrono::steady_clock::now() + wait;
  while (s.added && !s.done) {
    s.perform();
    if (s.done) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    curl_multi_poll(s.multi, nullptr, 0, static_cast<int>(left.count()), nullptr);
  }
  return s.done;
}

bool PendingRequest::sent() const {
  if (!state_->added || state_->done) return state_->done;
  curl_off_t uploaded = 0;
  curl_easy_getinfo(state_->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  long header_bytes = 0;  // set once the request line and headers went out
  curl_easy_getinfo(state_->easy, CURLINFO_REQUEST_SIZE, &header_bytes);
  return header_bytes > 0 && uploaded >= static_cast<curl_off_t>(state_->request.body.size());
}

Response PendingRequest::response() {
  State& s = *state_;
  if (!s.done) throw Error(ExitCode::error, "internal error: the request has not finished");
  if (s.result != CURLE_OK) throw transfer_error(s.result, s.exchange, *s.options);
  return std::move(s.exchange.response);
}

}  // namespace authctl::net
