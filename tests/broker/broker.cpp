// The test broker: the Neuron Agent API account/session endpoints (or, with kind nexterm,
// the Nexterm API of nexterm.cpp) over real sockets, with test controls (clock, latency,
// faults, counters). Protocol facts follow shared/specs/neuron-agent-api.md; choices where
// the spec is open are noted inline.
#include "broker.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "broker_crypto.hpp"
#include "broker_impl.hpp"
#include "broker_util.hpp"
#include "nexterm.hpp"

namespace testbroker {

namespace {

constexpr int kMaxFailures = 5;           // failed signatures per IP ...
constexpr int64_t kFailureWindow = 3600;  // ... within an hour ...
constexpr int64_t kBlockSeconds = 60;     // ... block for one minute
constexpr size_t kHugeBody = 5 * 1024 * 1024;
constexpr int kSlowBodySeconds = 60;

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// "IP:PORT" of the client, IPv6 in brackets (as .NET's IPEndPoint prints it).
std::string remote_endpoint(const Request& req) {
  const std::string& ip = req.remote_addr;
  std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return host + ":" + std::to_string(req.remote_port);
}

// --- sockets -------------------------------------------------------------------------------

bool sockaddr_ip_port(const sockaddr_storage& sa, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&sa), len, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return false;
  }
  ip = host;
  if (sa.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&sa)->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_port);
  } else {
    return false;
  }
  return true;
}

// Calls fn(fd, local_ip, local_port, peer_ip, peer_port) for every connected TCP socket of
// this process. httplib does not hand the connection's socket to handlers, so this is how
// the broker finds it to drop it.
template <typename Fn>
void for_each_connected_socket(Fn fn) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  const int dir_fd = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dir_fd) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    std::string local_ip, peer_ip;
    int local_port = 0, peer_port = 0;
    if (!sockaddr_ip_port(local, local_len, local_ip, local_port) ||
        !sockaddr_ip_port(peer, peer_len, peer_ip, peer_port)) {
      continue;
    }
    fn(static_cast<int>(fd), local_ip, local_port, peer_ip, peer_port);
  }
  closedir(dir);
}

}  // namespace

namespace broker_detail {

const char* reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Server Error" : "Error";
  }
}

// --- JSON schema ---------------------------------------------------------------------------

// Empty when `j` is an object with exactly these fields (optional ones may be absent) of
// these types; else the message for the 400. Unknown properties are refused.
std::string check_schema(const json& j, std::initializer_list<Field> fields) {
  if (!j.is_object()) return "Expected a JSON object.";
  for (const Field& f : fields) {
    auto it = j.find(f.name);
    if (it == j.end()) {
      if (f.required) return std::string("Missing property: ") + f.name + ".";
      continue;
    }
    bool ok = f.type == Type::any || (f.type == Type::string && it->is_string()) ||
              (f.type == Type::integer && it->is_number_integer()) ||
              (f.type == Type::boolean && it->is_boolean());
    if (!ok) return std::string("Invalid type of property: ") + f.name + ".";
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const Field& f : fields) known = known || it.key() == f.name;
    if (!known) return "Unexpected property: " + it.key() + ".";
  }
  return "";
}

}  // namespace broker_detail

Broker::Impl::Impl(Options o)
    : opts(std::move(o)), nexterm(std::make_unique<Nexterm>([this] { return now_ms(); })) {}

int64_t Broker::Impl::now() const {
  std::lock_guard<std::mutex> lock(mu);
  return now_locked();
}

int64_t Broker::Impl::now_locked() const {
  return static_cast<int64_t>(std::time(nullptr)) + clock_offset;
}

// The same clock in milliseconds (Nexterm's timestamps carry them).
int64_t Broker::Impl::now_ms() const {
  std::lock_guard<std::mutex> lock(mu);
  auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<int64_t>(wall.count()) + clock_offset * 1000;
}

// Sleeps up to `ms`; false when the broker is stopping.
bool Broker::Impl::sleep_ms(int ms) {
  std::unique_lock<std::mutex> lock(stop_mu);
  return !stop_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
}

// --- answers ---

void Broker::Impl::send_json(Response& res, const json& j, int status) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// Errors are text/plain; on /Agent/ without `Accept: application/json` an HTML page, as
// the spec warns a real Neuron may answer.
void Broker::Impl::send_error(const Request& req, Response& res, int status,
                              const std::string& msg) {
  res.status = status;
  bool wants_json = req.get_header_value("Accept").find("application/json") != std::string::npos;
  if (req.path.rfind("/Agent/", 0) == 0 && !wants_json) {
    std::string title = std::to_string(status) + " " + reason(status);
    res.set_content("<!DOCTYPE html>\n<html><head><title>" + html_escape(title) +
                        "</title></head><body><h1>" + html_escape(title) + "</h1><p>" +
                        html_escape(msg) + "</p></body></html>\n",
                    "text/html; charset=utf-8");
  } else {
    res.set_content(msg, "text/plain; charset=utf-8");
  }
}

void Broker::Impl::send_unauthorized(const Request& req, Response& res) const {
  res.set_header("WWW-Authenticate", "Bearer realm=\"" + opts.domain + "\"");
  send_error(req, res, 401, "Unauthorized access prohibited.");
}

std::string Broker::Impl::too_many_text(const Request& req) {
  return "Too many failed login attempts in a row registered. Try again in 1 minute(s). "
         "Remote Endpoint: " +
         remote_endpoint(req);
}

// The JSON body of a POST, or nullopt after answering 400.
std::optional<json> Broker::Impl::read_body(const Request& req, Response& res) {
  std::string type = req.get_header_value("Content-Type");
  std::string media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json") {
    send_error(req, res, 400, "Content-Type must be application/json.");
    return std::nullopt;
  }
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) {
    send_error(req, res, 400, "Invalid JSON in request body.");
    return std::nullopt;
  }
  return j;
}

std::optional<json> Broker::Impl::read_body(const Request& req, Response& res,
                                            std::initializer_list<Field> fields) {
  auto body = read_body(req, res);
  if (!body) return std::nullopt;
  std::string err = check_schema(*body, fields);
  if (!err.empty()) {
    send_error(req, res, 400, err);
    return std::nullopt;
  }
  return body;
}

bool Broker::Impl::valid_seconds(const json& j) {
  int64_t s = j.at("seconds").get<int64_t>();
  return s >= 1 && s <= 3600;
}

// --- JWT ---

std::string Broker::Impl::make_jwt_locked(const std::string& user, int64_t seconds,
                                          int64_t& expires) const {
  int64_t iat = now_locked();
  expires = iat + seconds;
  json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  json claims = {{"iss", "https://" + opts.domain},
                 {"sub", user},
                 {"iat", iat},
                 {"exp", expires},
                 {"jti", crypto::random_token(16)}};
  std::string signing_input =
      crypto::base64url(header.dump()) + "." + crypto::base64url(claims.dump());
  return signing_input + "." + crypto::base64url(crypto::hmac_sha256(jwt_secret, signing_input));
}

// The token's parts when it is ours (HS256, our key, our issuer), not expired on the
// broker clock and not revoked.
std::optional<Broker::Impl::Decoded> Broker::Impl::verify_jwt_locked(
    const std::string& token) const {
  size_t a = token.find('.');
  size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos || token.find('.', b + 1) != std::string::npos) return std::nullopt;
  std::string signing_input = token.substr(0, b);
  auto header_text = crypto::base64url_decode(token.substr(0, a));
  auto payload_text = crypto::base64url_decode(token.substr(a + 1, b - a - 1));
  auto signature = crypto::base64url_decode(token.substr(b + 1));
  if (!header_text || !payload_text || !signature) return std::nullopt;
  if (!crypto::equal_constant_time(*signature, crypto::hmac_sha256(jwt_secret, signing_input))) {
    return std::nullopt;
  }
  Decoded d{json::parse(*header_text, nullptr, false), json::parse(*payload_text, nullptr, false),
            *header_text, *payload_text, token.substr(b + 1)};
  if (!d.header.is_object() || d.header.value("alg", "") != "HS256") return std::nullopt;
  const json& c = d.claims;
  if (!c.is_object() || !c.contains("exp") || !c["exp"].is_number_integer() || !c.contains("sub") ||
      !c["sub"].is_string() || !c.contains("jti") || !c["jti"].is_string() ||
      c.value("iss", "") != "https://" + opts.domain) {
    return std::nullopt;
  }
  if (c["exp"].get<int64_t>() <= now_locked()) return std::nullopt;
  if (revoked.count(c["jti"].get<std::string>())) return std::nullopt;
  return d;
}

std::string Broker::Impl::bearer_token(const Request& req) {
  std::string auth = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (auth.size() <= prefix.size()) return "";
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(auth[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return "";
    }
  }
  return auth.substr(prefix.size());
}

// The claims of a valid bearer token, or nullopt after answering 401.
std::optional<json> Broker::Impl::require_bearer_locked(const Request& req, Response& res) const {
  auto d = verify_jwt_locked(bearer_token(req));
  if (!d) {
    send_unauthorized(req, res);
    return std::nullopt;
  }
  return d->claims;
}

// --- failed-signature audit (per client IP, broker clock) ---

bool Broker::Impl::blocked_locked(const std::string& ip) const {
  auto it = failures.find(ip);
  return it != failures.end() && it->second.blocked_until > now_locked();
}

// Records a failed signature; true when this failure blocks the IP.
bool Broker::Impl::register_failure_locked(const std::string& ip) {
  int64_t t = now_locked();
  Failures& f = failures[ip];
  while (!f.times.empty() && f.times.front() <= t - kFailureWindow) f.times.pop_front();
  f.times.push_back(t);
  if (static_cast<int>(f.times.size()) < kMaxFailures) return false;
  f.times.clear();
  f.blocked_until = t + kBlockSeconds;
  return true;
}

// --- faults ---

// Faults for the exact path first, then for its Nexterm route ("/api/sessions/:id"), then "*".
Fault Broker::Impl::take_fault_locked(const std::string& path, const std::string& alias) {
  for (const std::string& key : {path, alias, std::string("*")}) {
    if (key.empty()) continue;
    auto it = faults.find(key);
    if (it == faults.end() || it->second.empty()) continue;
    auto& front = it->second.front();
    Fault f = front.first;
    if (--front.second <= 0) it->second.pop_front();
    if (it->second.empty()) faults.erase(it);
    return f;
  }
  return Fault::none;
}

// Closes this request's connection under httplib's feet: shutdown() makes every later
// write fail, so the client sees the connection end with no HTTP answer at all.
bool Broker::Impl::drop_connection(const Request& req) {
  bool dropped = false;
  for_each_connected_socket([&](int fd, const std::string& local_ip, int local_port,
                                const std::string& peer_ip, int peer_port) {
    if (local_port == req.local_port && local_ip == req.local_addr &&
        peer_port == req.remote_port && peer_ip == req.remote_addr) {
      ::shutdown(fd, SHUT_RDWR);
      dropped = true;
    }
  });
  return dropped;
}

// Ends every connection accepted by this broker (so stop() does not wait for idle
// keep-alive connections to time out).
void Broker::Impl::drop_all_connections() {
  std::string bind_ip = opts.bind;
  for_each_connected_socket(
      [&](int fd, const std::string& local_ip, int local_port, const std::string&, int) {
        if (local_port == port && local_ip == bind_ip) ::shutdown(fd, SHUT_RDWR);
      });
}

void Broker::Impl::apply_fault(Fault fault, const Request& req, Response& res) {
  switch (fault) {
    case Fault::none:
      break;
    case Fault::drop_connection:
      if (!drop_connection(req)) throw std::runtime_error("drop_connection: socket not found");
      res.status = 500;
      res.set_content("dropped", "text/plain");
      break;
    case Fault::html_error:
      res.status = 500;
      res.set_content(
          "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
          "<body><h1>Internal Server Error</h1><p>Injected fault.</p></body></html>\n",
          "text/html; charset=utf-8");
      break;
    case Fault::malformed_json:
      res.status = 200;
      res.set_content("{\"jwt\": \"eyJhbGciOi\", \"expires\": ", "application/json");
      break;
    case Fault::rate_limit:
      res.status = 429;
      res.set_content(too_many_text(req), "text/plain; charset=utf-8");
      break;
    case Fault::blocked:
      res.status = 403;
      res.set_content(
          "This endpoint (" + remote_endpoint(req) + ") has been blocked from the system.",
          "text/plain; charset=utf-8");
      break;
    case Fault::service_unavailable:
      res.status = 503;
      res.set_content("Service temporarily unavailable.", "text/plain; charset=utf-8");
      break;
    case Fault::redirect:
      // Where a redirect would lead: a client that followed it would be counted there.
      res.status = 302;
      res.set_header("Location", "/_redirected" + req.path);
      res.set_content("Moved.", "text/plain; charset=utf-8");
      break;
    case Fault::slow_body: {
      // Chunked: a space every second (JSON allows leading whitespace), "{}" after 60 s.
      res.status = 200;
      auto sent = std::make_shared<int>(0);
      res.set_chunked_content_provider("application/json",
                                       [this, sent](size_t, httplib::DataSink& sink) {
                                         if (!sleep_ms(1000))
                                           return false;  // broker stopping: abort the body
                                         if (++*sent >= kSlowBodySeconds) {
                                           if (!sink.write("{}", 2)) return false;
                                           sink.done();
                                           return true;
                                         }
                                         return sink.write(" ", 1);
                                       });
      break;
    }
    case Fault::huge_body: {
      // Chunked (no Content-Length), so a client cannot refuse it up front by size.
      res.status = 200;
      auto body = std::make_shared<std::string>("{\"data\":\"");
      body->append(kHugeBody - body->size() - 2, 'a');
      body->append("\"}");
      res.set_chunked_content_provider(
          "application/json", [body](size_t offset, httplib::DataSink& sink) {
            if (offset >= body->size()) {
              sink.done();
              return true;
            }
            size_t n = std::min<size_t>(64 * 1024, body->size() - offset);
            return sink.write(body->data() + offset, n);
          });
      break;
    }
  }
}

Broker::Broker(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Broker::~Broker() {
  try {
    stop();
  } catch (...) {
  }
}

void Broker::start() {
  Impl& m = *impl_;
  if (m.server) throw std::logic_error("test broker: already started");
  if (m.opts.bind != "127.0.0.1" && m.opts.bind != "::1") {
    throw std::invalid_argument("test broker: refusing to bind to " + m.opts.bind +
                                " (loopback only: 127.0.0.1 or ::1)");
  }
  if (m.opts.tls && (m.opts.tls_files.server_cert.empty() || m.opts.tls_files.server_key.empty())) {
    throw std::invalid_argument("test broker: tls needs a server certificate and key");
  }
  // httplib's Server() sets SIGPIPE to SIG_IGN for the whole process, which children
  // spawned by the tests (authctl) would inherit. Put the disposition back: the broker's
  // own threads block SIGPIPE instead (see the listener thread below).
  struct sigaction old_pipe {};
  sigaction(SIGPIPE, nullptr, &old_pipe);
  if (m.opts.tls) {
    m.server = std::make_unique<httplib::SSLServer>(m.opts.tls_files.server_cert.c_str(),
                                                    m.opts.tls_files.server_key.c_str());
  } else {
    m.server = std::make_unique<httplib::Server>();
  }
  sigaction(SIGPIPE, &old_pipe, nullptr);
  httplib::Server& s = *m.server;
  if (!s.is_valid()) {
    m.server.reset();
    throw std::runtime_error("test broker: cannot load the TLS certificate or key");
  }
  size_t threads = static_cast<size_t>(m.opts.threads > 0 ? m.opts.threads : 64);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_socket_options([&m](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    m.listen_fd = sock;
  });
  m.install_hooks(s);
  m.register_routes(s, *this);

  int port = m.opts.port == 0 ? s.bind_to_any_port(m.opts.bind)
                              : (s.bind_to_port(m.opts.bind, m.opts.port) ? m.opts.port : -1);
  if (port <= 0) {
    m.server.reset();
    throw std::runtime_error("test broker: cannot bind " + m.opts.bind + ":" +
                             std::to_string(m.opts.port));
  }
  m.port = port;
  // httplib listens with a backlog of 5; 100 parallel clients need more.
  if (m.listen_fd >= 0) ::listen(m.listen_fd, 1024);

  m.stopping = false;
  m.thread_done = false;
  m.thread = std::thread([&m] {
    // Writes to a dropped connection must fail with EPIPE, not kill the process. The
    // worker threads are made inside listen_after_bind, so they inherit this mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    m.server->listen_after_bind();
    m.thread_done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!s.is_running()) {
    if (m.thread_done || std::chrono::steady_clock::now() > deadline) {
      m.server->stop();
      m.thread.join();
      m.server.reset();
      throw std::runtime_error("test broker: server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Broker::stop() {
  Impl& m = *impl_;
  if (!m.server) return;
  {
    std::lock_guard<std::mutex> lock(m.stop_mu);
    m.stopping = true;
  }
  m.stop_cv.notify_all();
  {
    std::lock_guard<std::mutex> lock(m.mu);  // a poll between its check and its wait sees it
  }
  m.events_cv.notify_all();  // long polls of /ClientEvents answer now
  m.server->stop();
  m.drop_all_connections();
  if (m.thread.joinable()) m.thread.join();
  m.server.reset();
  m.listen_fd = -1;
}

int Broker::port() const {
  return impl_->port;
}

std::string Broker::url() const {
  const Impl& m = *impl_;
  std::string host = m.opts.bind == "::1" ? "[::1]" : m.opts.bind;
  return std::string(m.opts.tls ? "https" : "http") + "://" + host + ":" + std::to_string(m.port);
}

void Broker::add_neuron_account(const std::string& user, const std::string& password,
                                const std::string& email, bool enabled) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Account& a = impl_->accounts[user];
  a = Account{};
  a.user = user;
  a.password = password;
  a.email = email;
  a.created = a.updated = impl_->now_locked();
  a.email_code = crypto::random_int(100000, 999999);
  if (enabled) a.email_verified = a.created;
}

void Broker::add_api_key(const std::string& key, const std::string& secret) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->api_keys[key] = secret;
}

int Broker::email_code(const std::string& email) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int code = 0;
  int64_t newest = INT64_MIN;
  for (const auto& [name, a] : impl_->accounts) {
    if (a.email == email && a.email_code && a.created >= newest) {
      code = a.email_code;
      newest = a.created;
    }
  }
  return code;
}

int Broker::phone_code(const std::string& phone) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int code = 0;
  int64_t newest = INT64_MIN;
  for (const auto& [name, a] : impl_->accounts) {
    if (!phone.empty() && a.phone == phone && a.phone_code && a.created >= newest) {
      code = a.phone_code;
      newest = a.created;
    }
  }
  return code;
}

std::string Broker::issue_token(const std::string& user, int seconds) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t expires = 0;
  return impl_->make_jwt_locked(user, seconds, expires);
}

int Broker::count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->counters.find(path);
  return it == impl_->counters.end() ? 0 : it->second;
}

void Broker::reset_counters() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->counters.clear();
}

std::vector<std::string> Broker::hosts_seen() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->hosts;
}

int64_t Broker::now() const {
  return impl_->now();
}

void Broker::advance_clock(int64_t seconds) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->clock_offset += seconds;
}

void Broker::set_latency_ms(int ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->latency = ms > 0 ? ms : 0;
}

void Broker::inject_answer(const std::string& path, int status, const std::string& json_body,
                           int times) {
  if (json::parse(json_body, nullptr, false).is_discarded())
    throw std::invalid_argument("inject_answer: the body is not JSON");
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (times > 0) impl_->answers[path].push_back({status, json_body, times});
}

void Broker::inject_hostile(const std::string& path, const HostileAnswer& answer) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (answer.times > 0) impl_->hostile[path].push_back(answer);
}

void Broker::inject_fault(const std::string& path, Fault fault, int times) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (fault == Fault::none || times <= 0) {
    impl_->faults.erase(path);  // clears the faults pending for this path
    return;
  }
  impl_->faults[path].emplace_back(fault, times);
}

void Broker::reset_failures() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->failures.clear();
  }
  impl_->nexterm->reset_rate_limits();
}

int Broker::add_nexterm_account(const std::string& user, const std::string& password, bool totp,
                                bool admin) {
  return impl_->nexterm->add_account(user, password, totp, admin);
}

std::string Broker::nexterm_totp_secret(const std::string& user) const {
  return impl_->nexterm->totp_secret(user);
}

std::string Broker::nexterm_totp_code(const std::string& user, int64_t at) const {
  return impl_->nexterm->totp_code(user, at);
}

std::string Broker::nexterm_session(const std::string& user, const std::string& user_agent,
                                    const std::string& ip, int64_t last_activity) {
  return impl_->nexterm->make_session(user, user_agent, ip, last_activity);
}

std::vector<NextermSessionInfo> Broker::nexterm_sessions(const std::string& user) const {
  return impl_->nexterm->sessions(user);
}

std::string Broker::nexterm_api_key(const std::string& user, const std::string& name) {
  return impl_->nexterm->make_api_key(user, name);
}

std::string Broker::device_approve(const std::string& code, const std::string& approver_user) {
  return impl_->nexterm->device_approve(code, approver_user);
}

bool Broker::device_claim(const std::string& poll_token) {
  return impl_->nexterm->device_claim(poll_token);
}

std::string Broker::device_poll_token_for(const std::string& code) const {
  return impl_->nexterm->device_poll_token_for(code);
}

std::vector<NextermPasskeyInfo> Broker::nexterm_passkeys(const std::string& user) const {
  return impl_->nexterm->passkeys(user);
}

bool Broker::nexterm_set_passkey_sign_count(int passkey_id, uint32_t sign_count) {
  return impl_->nexterm->set_passkey_sign_count(passkey_id, sign_count);
}

void Broker::set_production_mode(bool on) {
  impl_->nexterm->set_production_mode(on);
}

void Broker::set_registration_open(bool on) {
  impl_->nexterm->set_registration_open(on);
}

void Broker::set_password_login_enabled(bool on) {
  impl_->nexterm->set_password_login_enabled(on);
}

void Broker::reset_rate_limits() {
  impl_->nexterm->reset_rate_limits();
}

}  // namespace testbroker
