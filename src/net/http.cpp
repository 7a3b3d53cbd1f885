#include "net/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/error.hpp"
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
  std::string shown = scrub(redact_header_line(line), *t.secrets);
  std::cerr << prefix << shown << "\n";
}

// The trace is a debug callback (as in curl's tool_cb_dbg.c); redaction happens here, so
// nothing unredacted is ever formatted. Bodies are traced whole by perform(), not here.
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
        std::cerr << "> [body] " << scrub(redact_body(*t->request_body), *t->secrets) << "\n";
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
                "check that --host points at the right server");
  }
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded())
    throw Error(ExitCode::error,
                host + " answered malformed JSON (HTTP " + std::to_string(status) + ")",
                "the server is misbehaving; retry later or report it to its operator");
  return doc;
}

std::string Response::error_text() const {
  std::string type = media_type();
  if (type == "text/plain" || type.empty()) {
    std::string text = trim(body);
    for (char& c : text)
      if (c == '\n' || c == '\r') c = ' ';
    if (text.size() > 300) text = text.substr(0, 300) + "...";
    if (!text.empty() && text.back() == '.') text.pop_back();  // our line goes on after it
    return text;
  }
  if (is_json()) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_object() && doc.contains("message") && doc["message"].is_string())
      return doc["message"].get<std::string>();
  }
  return "(" + (type.empty() ? std::string("no Content-Type") : type) + " body)";
}

struct HttpClient::Impl {
  CURL* easy = nullptr;
  std::vector<std::string> secrets;
};

HttpClient::HttpClient(ClientOptions options) : impl_(new Impl), options_(std::move(options)) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw Error(ExitCode::error, "libcurl failed to initialise");
  impl_->easy = curl_easy_init();
  if (!impl_->easy) throw Error(ExitCode::error, "libcurl failed to initialise");
}

HttpClient::~HttpClient() {
  if (impl_->easy) curl_easy_cleanup(impl_->easy);
  for (auto& s : impl_->secrets) std::fill(s.begin(), s.end(), '\0');
}

void HttpClient::add_secret(std::string secret) {
  impl_->secrets.push_back(std::move(secret));
}

Response HttpClient::perform(const Request& request) {
  CURL* easy = impl_->easy;
  curl_easy_reset(easy);  // keeps the connection cache: connections are reused
  Response response;
  response.url = request.url;
  Transfer transfer{&response, false, &impl_->secrets, &request.body, false};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, options_.timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.insecure ? 0L : 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.insecure ? 0L : 2L);
  if (!options_.cacert.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.cacert.c_str());
  const std::string no_proxy = no_proxy_list();
  curl_easy_setopt(easy, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  if (options_.trace) {
    curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &transfer);
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
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(easy);
  curl_slist_free_all(headers);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);

  if (options_.trace && !response.body.empty())
    std::cerr << "< [body] " << scrub(redact_body(response.body), impl_->secrets) << "\n";

  if (rc == CURLE_OK) return response;

  const std::string host = host_of(request.url);
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_WRITE_ERROR:
      if (transfer.too_large)
        throw Error(ExitCode::error, host + " sent an answer larger than 4 MiB",
                    "the server is misbehaving; check --host");
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      throw Error(ExitCode::network, "cannot resolve " + host + ": " + detail,
                  "check the host name and your network");
    case CURLE_COULDNT_CONNECT:
      throw Error(ExitCode::network, "cannot connect to " + host + ": " + detail,
                  "check that the server is running and that --host is right");
    case CURLE_OPERATION_TIMEDOUT:
      throw Error(ExitCode::network, "request to " + host + " timed out (" + detail + ")",
                  "retry, or allow more time with --timeout SECONDS");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      throw Error(ExitCode::network,
                  "the TLS certificate of " + host + " is not trusted: " + detail,
                  "pass --cacert FILE (or AUTHCTL_CA_BUNDLE) with the CA that signed it");
    case CURLE_GOT_NOTHING:
      throw Error(ExitCode::network, host + " closed the connection without answering",
                  "retry; if it persists, the server or a proxy in between is failing");
    default:
      break;
  }
  throw Error(ExitCode::network, "request to " + host + " failed: " + detail,
              "check your network and --host, then retry");
}

}  // namespace authctl::net
