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
#include <deque>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "broker_crypto.hpp"
#include "nexterm.hpp"

namespace testbroker {

namespace {

using json = nlohmann::json;
using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

constexpr int kMaxFailures = 5;           // failed signatures per IP ...
constexpr int64_t kFailureWindow = 3600;  // ... within an hour ...
constexpr int64_t kBlockSeconds = 60;     // ... block for one minute
constexpr size_t kMinNonce = 32;
constexpr size_t kHugeBody = 5 * 1024 * 1024;
constexpr int kSlowBodySeconds = 60;
constexpr int64_t kQuickLoginCodeSeconds = 300;    // a signUrl can be signed for 5 minutes
constexpr int64_t kTabTimeout = 60;                // a tab not polled for this long is dropped
constexpr int kDefaultClientEventsWaitMs = 20000;  // /ClientEvents answers NOP after this
constexpr int64_t kWebTokenSeconds = 3600;         // GetSessionToken's token lifetime
const char* const kSessionCookie = "HttpSessionID";

std::string http_date(int64_t t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

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

// The Host header as received and, when it carries a port, without it (the spec leaves
// open which one the real server signs; the broker accepts both).
std::vector<std::string> host_readings(const std::string& host) {
  std::vector<std::string> out{host};
  size_t colon = host.rfind(':');
  size_t bracket = host.rfind(']');
  bool has_port =
      colon != std::string::npos &&
      (bracket != std::string::npos ? colon > bracket : host.find(':') == colon);  // one colon only
  if (has_port) out.push_back(host.substr(0, colon));
  return out;
}

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

bool is_control(const std::string& path) {
  return path.rfind("/_test/", 0) == 0;
}

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::none:
      return "none";
    case Fault::drop_connection:
      return "drop_connection";
    case Fault::html_error:
      return "html_error";
    case Fault::malformed_json:
      return "malformed_json";
    case Fault::rate_limit:
      return "rate_limit";
    case Fault::blocked:
      return "blocked";
    case Fault::slow_body:
      return "slow_body";
    case Fault::huge_body:
      return "huge_body";
    case Fault::service_unavailable:
      return "service_unavailable";
    case Fault::redirect:
      return "redirect";
  }
  return "none";
}

std::optional<Fault> parse_fault(const std::string& name) {
  for (Fault f : {Fault::none, Fault::drop_connection, Fault::html_error, Fault::malformed_json,
                  Fault::rate_limit, Fault::blocked, Fault::slow_body, Fault::huge_body,
                  Fault::service_unavailable, Fault::redirect}) {
    if (name == fault_name(f)) return f;
  }
  return std::nullopt;
}

std::string to_hex(const std::string& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx from 16 random bytes.
std::string random_guid() {
  std::string h = to_hex(crypto::random_bytes(16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The media type of a Content-Type header, lower case, without parameters.
std::string media_type(const std::string& content_type) {
  std::string media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  return lower(media);
}

// The value of the HttpSessionID cookie in the request's Cookie headers ("" when none).
std::string session_cookie(const Request& req) {
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    const std::string& h = it->second;
    size_t pos = 0;
    while (pos <= h.size()) {
      size_t end = h.find(';', pos);
      if (end == std::string::npos) end = h.size();
      std::string pair = h.substr(pos, end - pos);
      size_t b = pair.find_first_not_of(' ');
      if (b != std::string::npos) pair = pair.substr(b);
      size_t eq = pair.find('=');
      if (eq != std::string::npos && pair.substr(0, eq) == kSessionCookie) {
        return pair.substr(eq + 1);
      }
      pos = end + 1;
    }
  }
  return "";
}

// A stand-in for the QR code of mode "text": block characters derived from the payload (the
// broker draws no real QR; clients draw signUrl themselves).
std::string fake_qr_text(const std::string& payload) {
  std::string bits = crypto::hmac_sha256("qr", payload) + crypto::hmac_sha256("qr2", payload);
  const int n = 21;
  std::string out;
  for (int y = 0; y < n; y += 2) {
    for (int x = 0; x < n; ++x) {
      auto bit = [&](int row) {
        if (row >= n) return false;
        int i = row * n + x;
        return ((static_cast<unsigned char>(bits[static_cast<size_t>(i / 8) % bits.size()]) >>
                 (i % 8)) &
                1) != 0;
      };
      bool top = bit(y), bottom = bit(y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  return out;
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

// --- JSON schema ---------------------------------------------------------------------------

enum class Type { string, integer, boolean, any };
struct Field {
  const char* name;
  Type type;
  bool required;
};

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

struct Account {
  std::string user, password, email, phone;
  int64_t created = 0, updated = 0;
  int64_t email_verified = 0, phone_verified = 0;  // 0: not verified
  int email_code = 0, phone_code = 0;
  std::string legal_id;  // made on first use (PrepareRemoteQuickLogin)
  bool enabled() const { return email_verified != 0 && (phone.empty() || phone_verified != 0); }
};

// A web session of the Neuron, keyed by its HttpSessionID cookie value.
struct WebSession {
  std::string user;           // who is logged in ("" nobody)
  bool quick_login = false;   // a Quick Login was signed in it: Agent/Account/QuickLogin works
  bool remote_login = false;  // a RemoteQuickLogin petition was signed for it
  bool web_form = false;      // its account was made with the web form: GetSessionToken works
  std::string legal_id;       // the identity that signed a remote petition
  bool logged_in() const { return quick_login || remote_login; }
};

// What /QuickLogin registered for a session: the tab to notify and the token lifetime.
struct QuickLoginService {
  std::string session, tab, purpose;
  int64_t agent_api_timeout = 0;
};

struct QuickLoginCode {  // one signUrl
  std::string service;
  int64_t created = 0;  // broker clock
  uint64_t seq = 0;     // newest wins when a tab has several
};

// A tab registered on /ClientEvents.
struct ClientTab {
  std::string cookie;  // the HttpSessionID it registered with
  std::string location;
  std::deque<json> events;
  int64_t last_seen = 0;    // broker clock, start or end of its last poll
  int polling = 0;          // polls in progress
  uint64_t generation = 0;  // a newer poll supersedes (NOP) an older one
};

struct Petition {  // a RemoteQuickLogin signing petition sent to the user's app
  std::string legal_id, purpose, session, tab;
  int64_t created = 0;
  uint64_t seq = 0;
};

struct Failures {
  std::deque<int64_t> times;  // failed signatures within the window, broker clock
  int64_t blocked_until = 0;
};

}  // namespace

struct Broker::Impl {
  Options opts;
  const std::string jwt_secret = crypto::random_bytes(32);
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::atomic<bool> thread_done{false};
  int port = 0;
  int listen_fd = -1;

  // Interruptible waits (latency, slow bodies) end when the broker stops.
  std::atomic<bool> stopping{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;

  mutable std::mutex mu;  // guards everything below
  std::map<std::string, Account> accounts;
  std::map<std::string, std::string> api_keys;
  std::set<std::string> nonces;
  std::set<std::string> revoked;  // jti
  std::map<std::string, int> counters;
  std::vector<std::string> hosts;
  std::map<std::string, Failures> failures;  // by client IP
  std::map<std::string, std::deque<std::pair<Fault, int>>> faults;
  struct CannedAnswer {
    int status = 200;
    std::string body;
    int times = 1;
  };
  std::map<std::string, std::deque<CannedAnswer>> answers;   // inject_answer, by path
  std::map<std::string, std::deque<HostileAnswer>> hostile;  // inject_hostile, by path
  int64_t clock_offset = 0;
  int latency = 0;

  // The Neuron's web side: sessions by cookie, Quick Login services and codes, event tabs,
  // remote petitions, sent messages.
  std::map<std::string, WebSession> web_sessions;
  std::map<std::string, QuickLoginService> ql_services;  // by serviceId
  std::map<std::string, QuickLoginCode> ql_codes;        // by signUrl key
  std::map<std::string, ClientTab> tabs;                 // by tab id
  std::vector<Petition> petitions;                       // pending
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> remote_refs;
  std::vector<SentMessage> messages;
  bool fail_next_send = false;
  uint64_t seq = 0;
  int client_events_wait_ms = kDefaultClientEventsWaitMs;
  std::condition_variable events_cv;  // with mu: an event was queued, or the broker stops

  // The Nexterm server's state (its own lock); its routes are served when kind == nexterm.
  std::unique_ptr<Nexterm> nexterm;

  explicit Impl(Options o)
      : opts(std::move(o)), nexterm(std::make_unique<Nexterm>([this] { return now_ms(); })) {}

  int64_t now() const {
    std::lock_guard<std::mutex> lock(mu);
    return now_locked();
  }
  int64_t now_locked() const { return static_cast<int64_t>(std::time(nullptr)) + clock_offset; }
  // The same clock in milliseconds (Nexterm's timestamps carry them).
  int64_t now_ms() const {
    std::lock_guard<std::mutex> lock(mu);
    auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return static_cast<int64_t>(wall.count()) + clock_offset * 1000;
  }

  // Sleeps up to `ms`; false when the broker is stopping.
  bool sleep_ms(int ms) {
    std::unique_lock<std::mutex> lock(stop_mu);
    return !stop_cv.wait_for(lock, std::chrono::milliseconds(ms),
                             [this] { return stopping.load(); });
  }

  // --- answers ---

  static void send_json(Response& res, const json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  // Errors are text/plain; on /Agent/ without `Accept: application/json` an HTML page, as
  // the spec warns a real Neuron may answer.
  static void send_error(const Request& req, Response& res, int status, const std::string& msg) {
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

  void send_unauthorized(const Request& req, Response& res) const {
    res.set_header("WWW-Authenticate", "Bearer realm=\"" + opts.domain + "\"");
    send_error(req, res, 401, "Unauthorized access prohibited.");
  }

  static std::string too_many_text(const Request& req) {
    return "Too many failed login attempts in a row registered. Try again in 1 minute(s). "
           "Remote Endpoint: " +
           remote_endpoint(req);
  }

  // The JSON body of a POST, or nullopt after answering 400.
  static std::optional<json> read_body(const Request& req, Response& res) {
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

  static bool valid_seconds(const json& j) {
    int64_t s = j.at("seconds").get<int64_t>();
    return s >= 1 && s <= 3600;
  }

  // --- JWT ---

  std::string make_jwt_locked(const std::string& user, int64_t seconds, int64_t& expires) const {
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

  struct Decoded {
    json header, claims;
    std::string header_text, payload_text, signature;
  };

  // The token's parts when it is ours (HS256, our key, our issuer), not expired on the
  // broker clock and not revoked.
  std::optional<Decoded> verify_jwt_locked(const std::string& token) const {
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
    if (!c.is_object() || !c.contains("exp") || !c["exp"].is_number_integer() ||
        !c.contains("sub") || !c["sub"].is_string() || !c.contains("jti") ||
        !c["jti"].is_string() || c.value("iss", "") != "https://" + opts.domain) {
      return std::nullopt;
    }
    if (c["exp"].get<int64_t>() <= now_locked()) return std::nullopt;
    if (revoked.count(c["jti"].get<std::string>())) return std::nullopt;
    return d;
  }

  static std::string bearer_token(const Request& req) {
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
  std::optional<json> require_bearer_locked(const Request& req, Response& res) const {
    auto d = verify_jwt_locked(bearer_token(req));
    if (!d) {
      send_unauthorized(req, res);
      return std::nullopt;
    }
    return d->claims;
  }

  // --- failed-signature audit (per client IP, broker clock) ---

  bool blocked_locked(const std::string& ip) const {
    auto it = failures.find(ip);
    return it != failures.end() && it->second.blocked_until > now_locked();
  }

  // Records a failed signature; true when this failure blocks the IP.
  bool register_failure_locked(const std::string& ip) {
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
  Fault take_fault_locked(const std::string& path, const std::string& alias) {
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
  bool drop_connection(const Request& req) {
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
  void drop_all_connections() {
    std::string bind_ip = opts.bind;
    for_each_connected_socket(
        [&](int fd, const std::string& local_ip, int local_port, const std::string&, int) {
          if (local_port == port && local_ip == bind_ip) ::shutdown(fd, SHUT_RDWR);
        });
  }

  void apply_fault(Fault fault, const Request& req, Response& res) {
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

  // --- Neuron endpoints ---

  void domain_info(const Request&, Response& res) {
    send_json(
        res,
        {{"domain", opts.domain}, {"useEncryption", false}, {"humanReadableName", "Test Broker"}});
  }

  // Checks a Login/Create signature against every reading of the Host header.
  static bool signature_ok(const std::string& key, const std::string& before_host,
                           const std::string& after_host, const std::string& host,
                           const std::string& signature) {
    bool ok = false;
    for (const std::string& h : host_readings(host)) {
      ok =
          crypto::equal_constant_time(signature, crypto::sign(key, before_host + h + after_host)) ||
          ok;
    }
    return ok;
  }

  // Common failure path of signed requests: 403, or 429 when this failure blocks the IP.
  void signature_failed_locked(const Request& req, Response& res) {
    if (register_failure_locked(req.remote_addr)) {
      send_error(req, res, 429, too_many_text(req));
    } else {
      send_error(req, res, 403, "Invalid signature.");
    }
  }

  void login(const Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
    }
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"userName", Type::string, true},
                                           {"nonce", Type::string, true},
                                           {"signature", Type::string, true},
                                           {"seconds", Type::integer, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
    const std::string user = (*body)["userName"], nonce = (*body)["nonce"],
                      signature = (*body)["signature"];
    if (nonce.size() < kMinNonce) return send_error(req, res, 400, "Nonce too short.");
    const std::string host = req.get_header_value("Host");

    std::lock_guard<std::mutex> lock(mu);
    hosts.push_back(host);
    if (!nonces.insert(nonce).second) return send_error(req, res, 403, "Nonce already used.");
    auto it = accounts.find(user);
    // An unknown user gets the same answer as a bad signature (no user enumeration).
    if (it == accounts.end() ||
        !signature_ok(it->second.password, user + ":", ":" + nonce, host, signature)) {
      return signature_failed_locked(req, res);
    }
    failures.erase(req.remote_addr);
    if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
    send_json(res, {{"jwt", jwt}, {"expires", expires}});
  }

  void create(const Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
    }
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"userName", Type::string, true},
                                           {"eMail", Type::string, true},
                                           {"phoneNr", Type::string, false},
                                           {"password", Type::string, true},
                                           {"apiKey", Type::string, true},
                                           {"nonce", Type::string, true},
                                           {"signature", Type::string, true},
                                           {"seconds", Type::integer, true},
                                           {"language", Type::string, false}});
    if (!err.empty()) return send_error(req, res, 400, err);
    if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
    const json& b = *body;
    const std::string user = b["userName"], email = b["eMail"], password = b["password"],
                      api_key = b["apiKey"], nonce = b["nonce"], signature = b["signature"];
    const std::string phone = b.value("phoneNr", "");
    if (user.empty() || user.find('@') != std::string::npos) {
      return send_error(req, res, 400, "Invalid user name.");
    }
    if (email.find('@') == std::string::npos) {
      return send_error(req, res, 400, "Invalid e-mail address.");
    }
    if (password.empty()) return send_error(req, res, 400, "Empty password.");
    if (nonce.size() < kMinNonce) return send_error(req, res, 400, "Nonce too short.");
    const std::string host = req.get_header_value("Host");

    std::lock_guard<std::mutex> lock(mu);
    hosts.push_back(host);
    if (!nonces.insert(nonce).second) return send_error(req, res, 403, "Nonce already used.");
    auto key = api_keys.find(api_key);
    std::string after_host = ":" + email + ":" + (phone.empty() ? "" : phone + ":") + password +
                             ":" + api_key + ":" + nonce;
    if (key == api_keys.end() ||
        !signature_ok(key->second, user + ":", after_host, host, signature)) {
      return signature_failed_locked(req, res);
    }
    failures.erase(req.remote_addr);
    if (accounts.count(user)) {
      int n = 0;
      for (int i = 1; n < 2; ++i) {
        std::string alternative = user + std::to_string(i);
        if (!accounts.count(alternative)) {
          res.set_header("X-AlternativeName" + std::to_string(++n), alternative);
        }
      }
      return send_error(req, res, 409, "Account name already taken.");
    }
    Account& a = accounts[user];
    a.user = user;
    a.password = password;
    a.email = email;
    a.phone = phone;
    a.created = a.updated = now_locked();
    a.email_code = crypto::random_int(100000, 999999);
    if (!phone.empty()) a.phone_code = crypto::random_int(100000, 999999);
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(user, b["seconds"].get<int64_t>(), expires);
    json out = {{"created", a.created}, {"enabled", false},   {"canRelay", false},
                {"jwt", jwt},           {"expires", expires}, {"eMailCodeSent", true}};
    if (!phone.empty()) out["phoneNrCodeSent"] = true;
    send_json(res, out);
  }

  // VerifyEMail / VerifyPhoneNr. The Create JWT is optional, but when one is sent it must
  // be valid (401 otherwise).
  void verify(const Request& req, Response& res, bool email) {
    const char* field = email ? "eMail" : "phoneNr";
    auto body = read_body(req, res);
    if (!body) return;
    std::lock_guard<std::mutex> lock(mu);
    if (req.has_header("Authorization") && !require_bearer_locked(req, res)) return;
    std::string err =
        check_schema(*body, {{field, Type::string, true}, {"code", Type::integer, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    const std::string address = (*body)[field];
    const int64_t code = (*body)["code"].get<int64_t>();
    for (auto& [name, a] : accounts) {
      const std::string& mine = email ? a.email : a.phone;
      int expected = email ? a.email_code : a.phone_code;
      if (mine != address || expected == 0 || expected != code) continue;
      int64_t& verified = email ? a.email_verified : a.phone_verified;
      if (!verified) verified = a.updated = now_locked();
      return send_json(res, {{field, address}, {"userName", name}});
    }
    send_error(req, res, 403, "Invalid verification code.");
  }

  void resend_codes(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto claims = require_bearer_locked(req, res);
    if (!claims) return;
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"eMail", Type::string, true},
                                           {"phoneNr", Type::string, false},
                                           {"language", Type::string, false}});
    if (!err.empty()) return send_error(req, res, 400, err);
    auto it = accounts.find((*claims)["sub"].get<std::string>());
    if (it == accounts.end()) return send_unauthorized(req, res);
    if ((*body)["eMail"] != it->second.email ||
        (body->contains("phoneNr") && (*body)["phoneNr"] != it->second.phone)) {
      return send_error(req, res, 400, "Addresses do not match the account.");
    }
    send_json(res, json::object());
  }

  void refresh(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto claims = require_bearer_locked(req, res);
    if (!claims) return;
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"seconds", Type::integer, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
    std::string user = (*claims)["sub"];
    if (!accounts.count(user)) return send_unauthorized(req, res);
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
    send_json(res, {{"jwt", jwt}, {"expires", expires}});
  }

  void logout(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto claims = require_bearer_locked(req, res);
    if (!claims) return;
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {});
    if (!err.empty()) return send_error(req, res, 400, err);
    revoked.insert((*claims)["jti"].get<std::string>());
    send_json(res, json::object());
  }

  void info(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto claims = require_bearer_locked(req, res);
    if (!claims) return;
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {});
    if (!err.empty()) return send_error(req, res, 400, err);
    auto it = accounts.find((*claims)["sub"].get<std::string>());
    if (it == accounts.end()) return send_unauthorized(req, res);
    const Account& a = it->second;
    json out = {
        {"userName", a.user}, {"created", a.created}, {"updated", a.updated}, {"eMail", a.email}};
    if (a.email_verified) out["eMailVerified"] = a.email_verified;
    if (!a.phone.empty()) out["phoneNr"] = a.phone;
    if (a.phone_verified) out["phoneNrVerified"] = a.phone_verified;
    send_json(res, out);
  }

  // {header, payload} are the decoded JSON texts, signature the base64url segment.
  void authenticate_jwt(const Request& req, Response& res) {
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"token", Type::string, false}});
    if (!err.empty()) return send_error(req, res, 400, err);
    std::string token =
        body->contains("token") ? (*body)["token"].get<std::string>() : bearer_token(req);
    std::lock_guard<std::mutex> lock(mu);
    auto d = verify_jwt_locked(token);
    if (!d) return send_error(req, res, 403, "Invalid token.");
    const json& c = d->claims;
    json out = {{"header", d->header_text},
                {"payload", d->payload_text},
                {"signature", d->signature},
                {"algorithm", "HS256"},
                {"claims", c},
                {"type", d->header.value("typ", "JWT")},
                {"issuer", c["iss"]},
                {"subject", c["sub"]},
                {"id", c["jti"]},
                {"expiration", c["exp"]}};
    if (c.contains("iat")) out["issuedAt"] = c["iat"];
    send_json(res, out);
  }

  // --- web sessions and client events (the IoTGateway side of the Neuron) ---

  // The request's web session (its cookie value). A request without the cookie gets a new
  // session and `Set-Cookie: HttpSessionID=...; Path=/; HttpOnly`; an unknown value gets a
  // fresh session under that value and no Set-Cookie (the framework looks sessions up by the
  // value it is given).
  std::string web_session_locked(const Request& req, Response& res) {
    std::string id = session_cookie(req);
    if (id.empty()) {
      id = to_hex(crypto::random_bytes(32));
      res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly");
    }
    web_sessions[id];
    return id;
  }

  // The request's existing web session, or nullptr.
  WebSession* find_web_session_locked(const Request& req) {
    std::string id = session_cookie(req);
    auto it = id.empty() ? web_sessions.end() : web_sessions.find(id);
    return it == web_sessions.end() ? nullptr : &it->second;
  }

  bool tab_dropped_locked(const ClientTab& tab) const {
    return tab.polling == 0 && now_locked() - tab.last_seen >= kTabTimeout;
  }

  // Queues an event for a registered tab; events for unknown or dropped tabs are lost.
  bool push_event_locked(const std::string& tab_id, const json& event) {
    auto it = tabs.find(tab_id);
    if (it == tabs.end()) return false;
    if (tab_dropped_locked(it->second)) {
      tabs.erase(it);
      return false;
    }
    it->second.events.push_back(event);
    events_cv.notify_all();
    return true;
  }

  // POST /ClientEvents: text/plain body = the page's absolute URL, header X-TabID. Long
  // polling: answers the tab's queued events as soon as there are any, else [{"type":"NOP"}]
  // after client_events_wait_ms. A newer poll for the same tab makes an older one answer NOP.
  void client_events(const Request& req, Response& res) {
    if (req.body.empty()) return send_error(req, res, 400, "POST request missing data.");
    const std::string tab_id = req.get_header_value("X-TabID");
    if (tab_id.empty()) return send_error(req, res, 400, "Expected X-TabID header.");
    std::string location = req.body;
    std::string media = media_type(req.get_header_value("Content-Type"));
    if (media == "application/json") {  // a JSON string decodes to the same text
      json j = json::parse(req.body, nullptr, false);
      location = j.is_string() ? j.get<std::string>() : "";
    } else if (media != "text/plain") {
      location.clear();
    }
    std::string scheme = lower(location.substr(0, location.find("://")));
    if (location.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
      return send_error(req, res, 400, "Expected an absolute URL in text/plain.");
    }

    std::unique_lock<std::mutex> lock(mu);
    std::string cookie = web_session_locked(req, res);
    auto it = tabs.find(tab_id);
    if (it != tabs.end() && tab_dropped_locked(it->second)) {
      tabs.erase(it);
      it = tabs.end();
    }
    if (it == tabs.end()) {
      it = tabs.emplace(tab_id, ClientTab{}).first;
      it->second.cookie = cookie;
    }
    it->second.location = location;
    it->second.last_seen = now_locked();
    ++it->second.polling;
    const uint64_t generation = ++it->second.generation;
    events_cv.notify_all();  // an older poll of this tab answers NOP now
    // The tab cannot be erased while polling > 0, so lookups by id below always succeed.
    events_cv.wait_for(lock, std::chrono::milliseconds(client_events_wait_ms), [&] {
      const ClientTab& t = tabs.at(tab_id);
      return stopping.load() || t.generation != generation || !t.events.empty();
    });
    ClientTab& tab = tabs.at(tab_id);
    json out = json::array();
    if (tab.generation == generation && !tab.events.empty()) {
      for (json& e : tab.events) out.push_back(std::move(e));
      tab.events.clear();
    } else {
      out.push_back({{"type", "NOP"}});
    }
    --tab.polling;
    tab.last_seen = now_locked();
    lock.unlock();
    send_json(res, out);
  }

  // POST /QuickLogin (session mode): {serviceId, agentApiTimeout?, tab, mode, purpose}.
  // serviceId "" (or absent) registers a new service for this session and the answer
  // carries it; later calls give it back (with the same cookie) for a fresh code.
  void page_quick_login(const Request& req, Response& res) {
    auto body = read_body(req, res);
    if (!body) return;
    if (!body->is_object()) return send_error(req, res, 400, "Expected a JSON object.");
    auto tab_field = body->find("tab");
    if (tab_field == body->end() || !tab_field->is_string() ||
        tab_field->get<std::string>().empty()) {
      return send_error(req, res, 400, "Missing Tab ID.");
    }
    std::string err = check_schema(*body, {{"serviceId", Type::string, false},
                                           {"agentApiTimeout", Type::integer, false},
                                           {"tab", Type::string, true},
                                           {"mode", Type::string, true},
                                           {"purpose", Type::string, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    const std::string mode = (*body)["mode"];
    if (mode != "text" && mode != "base64" && mode != "image") {
      return send_error(req, res, 400, "Invalid mode.");
    }
    const int64_t timeout = body->value("agentApiTimeout", int64_t{0});
    if (timeout < 0 || timeout > 3600) {
      return send_error(req, res, 400, "agentApiTimeout must be 0..3600.");
    }

    std::lock_guard<std::mutex> lock(mu);
    std::string service_id = body->value("serviceId", "");
    const bool first = service_id.empty();
    if (first) {
      service_id = random_guid();
      ql_services[service_id] = QuickLoginService{};
    } else {
      auto known = ql_services.find(service_id);
      if (known == ql_services.end() || known->second.session != session_cookie(req)) {
        return send_error(req, res, 400, "Unknown service ID.");
      }
    }
    QuickLoginService& service = ql_services[service_id];
    service.session = web_session_locked(req, res);
    service.tab = (*body)["tab"];
    service.purpose = (*body)["purpose"];
    if (first || body->contains("agentApiTimeout")) service.agent_api_timeout = timeout;

    const std::string key = crypto::random_token(24);
    ql_codes[key] = QuickLoginCode{service_id, now_locked(), ++seq};
    const std::string sign_url = "tagsign:" + opts.domain + "," + key;
    json out = {{"signUrl", sign_url}};
    if (first) out["serviceId"] = service_id;
    std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + crypto::hmac_sha256("png", sign_url);
    if (mode == "text") {
      out["text"] = fake_qr_text(sign_url);
    } else if (mode == "base64") {
      out["base64"] = crypto::base64(png);
      out["contentType"] = "image/png";
    } else {
      out["src"] = "data:image/png;base64," + crypto::base64(png);
    }
    send_json(res, out);
  }

  // The pending Quick Login code `ref` names (key, signUrl or tab; newest for a tab), or end.
  std::map<std::string, QuickLoginCode>::iterator find_code_locked(const std::string& ref) {
    std::string key = ref;
    if (key.rfind("tagsign:", 0) == 0 && key.find(',') != std::string::npos) {
      key = key.substr(key.find(',') + 1);
    }
    auto found = ql_codes.find(key);
    if (found == ql_codes.end()) {
      for (auto it = ql_codes.begin(); it != ql_codes.end(); ++it) {
        auto service = ql_services.find(it->second.service);
        if (service == ql_services.end() || service->second.tab != ref) continue;
        if (found == ql_codes.end() || it->second.seq > found->second.seq) found = it;
      }
    }
    if (found != ql_codes.end() && now_locked() - found->second.created >= kQuickLoginCodeSeconds) {
      return ql_codes.end();
    }
    return found;
  }

  // POST /Agent/Account/QuickLogin {seconds} with the cookie of a session in which a Quick
  // Login was signed. Before that: 403, counted as a failed login attempt (429 when it blocks).
  void agent_quick_login(const Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
    }
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"seconds", Type::integer, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
    std::lock_guard<std::mutex> lock(mu);
    WebSession* session = find_web_session_locked(req);
    if (!session || !session->quick_login || !accounts.count(session->user)) {
      if (register_failure_locked(req.remote_addr)) {
        return send_error(req, res, 429, too_many_text(req));
      }
      return send_error(req, res, 403, "No Quick Login performed in this session.");
    }
    failures.erase(req.remote_addr);
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(session->user, (*body)["seconds"].get<int64_t>(), expires);
    send_json(res, {{"jwt", jwt}, {"userName", session->user}, {"expires", expires}});
  }

  void send_basic_challenge(const Request& req, Response& res) const {
    res.set_header("WWW-Authenticate", "Basic realm=\"" + opts.domain + "\"");
    send_error(req, res, 401, "Unauthorized access prohibited.");
  }

  // POST /Agent/Account/WwwLogin {seconds} over HTTP Basic. No credentials: the 401
  // challenge; wrong ones: the challenge again, counted as a failed attempt (429 when it
  // blocks); a disabled account: 403.
  void www_login(const Request& req, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
    }
    std::string auth = req.get_header_value("Authorization");
    if (auth.size() < 6 || lower(auth.substr(0, 6)) != "basic ") {
      return send_basic_challenge(req, res);
    }
    std::string encoded = auth.substr(6);
    bool standard = encoded.find_first_of("-_") == std::string::npos;
    for (char& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
    auto decoded = standard ? crypto::base64url_decode(encoded) : std::nullopt;
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    std::string user = colon == std::string::npos ? "" : decoded->substr(0, colon);
    std::string password = colon == std::string::npos ? "" : decoded->substr(colon + 1);
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = accounts.find(user);
      if (it == accounts.end() || !crypto::equal_constant_time(it->second.password, password)) {
        if (register_failure_locked(req.remote_addr)) {
          return send_error(req, res, 429, too_many_text(req));
        }
        return send_basic_challenge(req, res);
      }
      failures.erase(req.remote_addr);
      if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
    }
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"seconds", Type::integer, true}});
    if (!err.empty()) return send_error(req, res, 400, err);
    if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
    std::lock_guard<std::mutex> lock(mu);
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
    send_json(res, {{"jwt", jwt}, {"expires", expires}});
  }

  // POST /Agent/Account/GetSessionToken {} with the cookie of a web session whose account was
  // made with the web form; any other session: 403.
  void get_session_token(const Request& req, Response& res) {
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {});
    if (!err.empty()) return send_error(req, res, 400, err);
    std::lock_guard<std::mutex> lock(mu);
    WebSession* session = find_web_session_locked(req);
    auto it = session && session->web_form ? accounts.find(session->user) : accounts.end();
    if (it == accounts.end()) {
      return send_error(req, res, 403, "No account created in this session.");
    }
    const Account& a = it->second;
    int64_t expires = 0;
    std::string jwt = make_jwt_locked(a.user, kWebTokenSeconds, expires);
    json created = {{"created", a.created},
                    {"enabled", a.enabled()},
                    {"canRelay", false},
                    {"jwt", jwt},
                    {"expires", expires}};
    if (a.updated != a.created) created["updated"] = a.updated;
    send_json(res, {{"AccountCreated", created}, {"seconds", kWebTokenSeconds}});
  }

  std::string legal_id_locked(Account& a) {
    if (a.legal_id.empty()) a.legal_id = random_guid() + "@legal." + opts.domain;
    return a.legal_id;
  }

  // The account of a valid bearer token whose body is {} (nullptr after answering).
  Account* bearer_account_empty_body_locked(const Request& req, Response& res) {
    auto claims = require_bearer_locked(req, res);
    if (!claims) return nullptr;
    auto body = read_body(req, res);
    if (!body) return nullptr;
    std::string err = check_schema(*body, {});
    if (!err.empty()) {
      send_error(req, res, 400, err);
      return nullptr;
    }
    auto it = accounts.find((*claims)["sub"].get<std::string>());
    if (it == accounts.end()) {
      send_unauthorized(req, res);
      return nullptr;
    }
    return &it->second;
  }

  void prepare_remote_quick_login(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    Account* a = bearer_account_empty_body_locked(req, res);
    if (!a) return;
    send_json(res, {{"legalId", legal_id_locked(*a)}});
  }

  void remote_references(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    Account* a = bearer_account_empty_body_locked(req, res);
    if (!a) return;
    json refs = json::array();
    for (const auto& [domain, legal_id] : remote_refs[a->user]) {
      refs.push_back({{"domain", domain}, {"legalId", legal_id}});
    }
    send_json(res, {{"References", refs}});
  }

  // POST /Agent/Account/RemoteQuickLogin {legalId, purpose, tabId?}: no JWT (a request with
  // an Authorization header is refused with 400: a client must not send its home token to a
  // remote Neuron); acts on the caller's web session, made here when the request has none.
  void remote_quick_login(const Request& req, Response& res) {
    if (req.has_header("Authorization")) {
      return send_error(req, res, 400, "RemoteQuickLogin takes no Authorization header.");
    }
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"legalId", Type::string, true},
                                           {"purpose", Type::string, true},
                                           {"tabId", Type::string, false}});
    if (!err.empty()) return send_error(req, res, 400, err);
    const std::string legal_id = (*body)["legalId"];
    size_t at = legal_id.find('@');
    if (at == 0 || at == std::string::npos || at + 1 == legal_id.size()) {
      return send_error(req, res, 400, "Invalid legal ID.");
    }
    std::lock_guard<std::mutex> lock(mu);
    std::string cookie = web_session_locked(req, res);
    if (web_sessions[cookie].logged_in()) {
      return send_json(res, {{"loggedIn", true}, {"petitionSent", false}});
    }
    petitions.push_back(Petition{legal_id, (*body)["purpose"], cookie, body->value("tabId", ""),
                                 now_locked(), ++seq});
    send_json(res, {{"loggedIn", false}, {"petitionSent", true}});
  }

  // POST /Agent/Xmpp/SendTextMessage {to, message, subject?, language?, id?} (JWT).
  void send_text_message(const Request& req, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    auto claims = require_bearer_locked(req, res);
    if (!claims) return;
    auto body = read_body(req, res);
    if (!body) return;
    std::string err = check_schema(*body, {{"to", Type::string, true},
                                           {"message", Type::string, true},
                                           {"subject", Type::string, false},
                                           {"language", Type::string, false},
                                           {"id", Type::string, false}});
    if (!err.empty()) return send_error(req, res, 400, err);
    auto it = accounts.find((*claims)["sub"].get<std::string>());
    if (it == accounts.end()) return send_unauthorized(req, res);
    if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
    const std::string to = (*body)["to"];
    std::string bare = to.substr(0, to.find('/'));
    if (bare.empty() || bare.front() == '@' || bare.back() == '@' ||
        to.find_first_of(" \t\r\n") != std::string::npos) {
      return send_error(req, res, 400, "Invalid JID.");
    }
    std::string id = body->value("id", "");
    if (id.empty()) id = to_hex(crypto::random_bytes(16));
    if (fail_next_send) {
      fail_next_send = false;
      return send_json(res, {{"sent", false}, {"id", id}});
    }
    messages.push_back(SentMessage{it->second.user + "@" + opts.domain, to, (*body)["message"],
                                   body->value("subject", ""), body->value("language", ""), id,
                                   now_locked()});
    send_json(res, {{"sent", true}, {"id", id}});
  }

  // --- test controls (/_test/...) ---

  // Lenient: an empty body is {}; no Content-Type needed (for curl in shell scripts).
  static std::optional<json> control_body(const Request& req, Response& res) {
    if (req.body.empty()) return json::object();
    json j = json::parse(req.body, nullptr, false);
    if (!j.is_object()) {
      send_error(req, res, 400, "Expected a JSON object.");
      return std::nullopt;
    }
    return j;
  }

  void register_routes(httplib::Server& s, Broker& broker) {
    if (opts.kind == Kind::neuron) register_neuron_routes(s);
    register_control_routes(s, broker);
    nexterm->register_control_routes(s);
    // Last: Nexterm answers every other path itself (Express's unknown-route answer).
    if (opts.kind == Kind::nexterm) nexterm->register_api_routes(s);
  }

  void register_neuron_routes(httplib::Server& s) {
    s.Get("/Agent/Account/DomainInfo",
          [this](const Request& q, Response& r) { domain_info(q, r); });
    s.Post("/Agent/Account/Login", [this](const Request& q, Response& r) { login(q, r); });
    s.Post("/Agent/Account/Create", [this](const Request& q, Response& r) { create(q, r); });
    s.Post("/Agent/Account/VerifyEMail",
           [this](const Request& q, Response& r) { verify(q, r, true); });
    s.Post("/Agent/Account/VerifyPhoneNr",
           [this](const Request& q, Response& r) { verify(q, r, false); });
    s.Post("/Agent/Account/ResendVerificationCodes",
           [this](const Request& q, Response& r) { resend_codes(q, r); });
    s.Post("/Agent/Account/Refresh", [this](const Request& q, Response& r) { refresh(q, r); });
    s.Post("/Agent/Account/Logout", [this](const Request& q, Response& r) { logout(q, r); });
    s.Post("/Agent/Account/Info", [this](const Request& q, Response& r) { info(q, r); });
    s.Post("/Agent/Account/AuthenticateJwt",
           [this](const Request& q, Response& r) { authenticate_jwt(q, r); });
    s.Post("/Agent/Account/QuickLogin",
           [this](const Request& q, Response& r) { agent_quick_login(q, r); });
    s.Post("/Agent/Account/WwwLogin", [this](const Request& q, Response& r) { www_login(q, r); });
    s.Post("/Agent/Account/GetSessionToken",
           [this](const Request& q, Response& r) { get_session_token(q, r); });
    s.Post("/Agent/Account/PrepareRemoteQuickLogin",
           [this](const Request& q, Response& r) { prepare_remote_quick_login(q, r); });
    s.Post("/Agent/Account/RemoteQuickLogin",
           [this](const Request& q, Response& r) { remote_quick_login(q, r); });
    s.Post("/Agent/Account/RemoteReferences",
           [this](const Request& q, Response& r) { remote_references(q, r); });
    s.Post("/Agent/Xmpp/SendTextMessage",
           [this](const Request& q, Response& r) { send_text_message(q, r); });
    s.Post("/QuickLogin", [this](const Request& q, Response& r) { page_quick_login(q, r); });
    s.Post("/ClientEvents", [this](const Request& q, Response& r) { client_events(q, r); });
  }

  void register_control_routes(httplib::Server& s, Broker& broker) {
    Broker* b = &broker;
    auto ok = [](Response& r) { send_json(r, json::object()); };
    s.Post("/_test/accounts", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"user", Type::string, true},
                                          {"password", Type::string, true},
                                          {"email", Type::string, true},
                                          {"enabled", Type::boolean, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->add_neuron_account((*j)["user"], (*j)["password"], (*j)["email"],
                            j->value("enabled", true));
      ok(r);
    });
    s.Post("/_test/apikeys", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err =
          check_schema(*j, {{"key", Type::string, true}, {"secret", Type::string, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->add_api_key((*j)["key"], (*j)["secret"]);
      ok(r);
    });
    s.Get("/_test/counters", [this](const Request&, Response& r) {
      std::lock_guard<std::mutex> lock(mu);
      send_json(r, json(counters));
    });
    s.Post("/_test/reset-counters", [b, ok](const Request&, Response& r) {
      b->reset_counters();
      ok(r);
    });
    s.Get("/_test/clock", [this](const Request&, Response& r) { send_json(r, {{"now", now()}}); });
    s.Post("/_test/clock", [this, b](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"advance", Type::integer, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->advance_clock((*j)["advance"].get<int64_t>());
      send_json(r, {{"now", now()}});
    });
    s.Post("/_test/latency", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"ms", Type::integer, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->set_latency_ms((*j)["ms"].get<int>());
      ok(r);
    });
    s.Post("/_test/fault", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"path", Type::string, true},
                                          {"fault", Type::string, true},
                                          {"times", Type::integer, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      auto fault = parse_fault((*j)["fault"]);
      if (!fault) return send_error(q, r, 400, "Unknown fault.");
      b->inject_fault((*j)["path"], *fault, j->value("times", 1));
      ok(r);
    });
    s.Post("/_test/answer", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"path", Type::string, true},
                                          {"status", Type::integer, true},
                                          {"body", Type::any, true},
                                          {"times", Type::integer, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->inject_answer((*j)["path"], (*j)["status"], (*j)["body"].dump(), j->value("times", 1));
      ok(r);
    });
    s.Post("/_test/hostile", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"path", Type::string, true},
                                          {"set", Type::any, false},
                                          {"body", Type::string, false},
                                          {"content_type", Type::string, false},
                                          {"headers", Type::any, false},
                                          {"status", Type::integer, false},
                                          {"times", Type::integer, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      HostileAnswer edit;
      for (const char* key : {"set", "headers"})
        if (j->contains(key) && !(*j)[key].is_object())
          return send_error(q, r, 400, std::string(key) + " is an object.");
      const json set = j->value("set", json::object());
      const json headers = j->value("headers", json::object());
      for (const auto& [pointer, text] : set.items()) {
        if (!text.is_string()) return send_error(q, r, 400, "set values are raw JSON text.");
        edit.set.emplace_back(pointer, text.get<std::string>());
      }
      for (const auto& [name, value] : headers.items()) {
        if (!value.is_string()) return send_error(q, r, 400, "header values are strings.");
        edit.headers[name] = value.get<std::string>();
      }
      if (j->contains("body")) edit.body = (*j)["body"].get<std::string>();
      edit.content_type = j->value("content_type", std::string());
      if (j->contains("status")) edit.status = (*j)["status"].get<int>();
      edit.times = j->value("times", 1);
      b->inject_hostile((*j)["path"], edit);
      ok(r);
    });
    s.Post("/_test/reset-failures", [b, ok](const Request&, Response& r) {
      b->reset_failures();
      ok(r);
    });
    s.Post("/_test/reset-rate-limits", [b, ok](const Request&, Response& r) {
      b->reset_rate_limits();
      ok(r);
    });
    s.Get("/_test/email-code", [b](const Request& q, Response& r) {
      send_json(r, {{"code", b->email_code(q.get_param_value("email"))}});
    });
    s.Get("/_test/phone-code", [b](const Request& q, Response& r) {
      send_json(r, {{"code", b->phone_code(q.get_param_value("phone"))}});
    });
    s.Get("/_test/hosts",
          [b](const Request&, Response& r) { send_json(r, json(b->hosts_seen())); });
    s.Post("/_test/token", [this](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err =
          check_schema(*j, {{"user", Type::string, true}, {"seconds", Type::integer, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      int64_t expires = 0;
      std::string jwt;
      {
        std::lock_guard<std::mutex> lock(mu);
        jwt = make_jwt_locked((*j)["user"], j->value("seconds", int64_t{3600}), expires);
      }
      send_json(r, {{"jwt", jwt}, {"expires", expires}});
    });
    s.Post("/_test/quick-login/sign", [b](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"ref", Type::string, true},
                                          {"user", Type::string, true},
                                          {"withToken", Type::boolean, false}});
      if (!err.empty()) return send_error(q, r, 400, err);
      send_json(r, {{"signed", b->sign_quick_login((*j)["ref"], (*j)["user"],
                                                   j->value("withToken", false))}});
    });
    s.Post("/_test/quick-login/decline", [b](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"ref", Type::string, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      send_json(r, {{"declined", b->decline_quick_login((*j)["ref"])}});
    });
    s.Post("/_test/remote-petition/sign", [b](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err =
          check_schema(*j, {{"ref", Type::string, true}, {"user", Type::string, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      send_json(r, {{"signed", b->sign_remote_petition((*j)["ref"], (*j)["user"])}});
    });
    s.Post("/_test/web-session", [b](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"user", Type::string, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      send_json(r, {{"cookie", b->web_form_session((*j)["user"])}});
    });
    s.Post("/_test/client-events-wait", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"ms", Type::integer, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->set_client_events_wait_ms((*j)["ms"].get<int>());
      ok(r);
    });
    s.Post("/_test/client-event", [this](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      if (!j->contains("tab") || !(*j)["tab"].is_string() || !j->contains("type") ||
          !(*j)["type"].is_string()) {
        return send_error(q, r, 400, "Expected {tab, type, data?}.");
      }
      std::lock_guard<std::mutex> lock(mu);
      json event = {{"type", (*j)["type"]}, {"data", j->value("data", json(""))}};
      send_json(r, {{"queued", push_event_locked((*j)["tab"], event)}});
    });
    s.Get("/_test/client-tab", [b](const Request& q, Response& r) {
      std::string tab = q.get_param_value("tab");
      send_json(r, {{"registered", b->client_tab_registered(tab)},
                    {"cookie", b->client_tab_cookie(tab)}});
    });
    s.Get("/_test/messages", [b](const Request&, Response& r) {
      json out = json::array();
      for (const SentMessage& m : b->sent_messages()) {
        json j = {
            {"from", m.from}, {"to", m.to}, {"message", m.message}, {"id", m.id}, {"at", m.at}};
        if (!m.subject.empty()) j["subject"] = m.subject;
        if (!m.language.empty()) j["language"] = m.language;
        out.push_back(j);
      }
      send_json(r, out);
    });
    s.Post("/_test/fail-next-send", [b, ok](const Request&, Response& r) {
      b->fail_next_send();
      ok(r);
    });
    s.Get("/_test/legal-id", [b](const Request& q, Response& r) {
      std::string user = q.get_param_value("user");
      send_json(r, {{"legalId", b->legal_id(user)}});
    });
    s.Post("/_test/remote-references", [b, ok](const Request& q, Response& r) {
      auto j = control_body(q, r);
      if (!j) return;
      std::string err = check_schema(*j, {{"user", Type::string, true},
                                          {"domain", Type::string, true},
                                          {"legalId", Type::string, true}});
      if (!err.empty()) return send_error(q, r, 400, err);
      b->add_remote_reference((*j)["user"], (*j)["domain"], (*j)["legalId"]);
      ok(r);
    });
  }

  // The next hostile edit queued for `path` (inject_hostile), applied to the route's answer.
  void apply_hostile_edit(const std::string& path, Response& res) {
    std::optional<HostileAnswer> edit;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = hostile.find(path);
      if (it == hostile.end()) return;
      edit = it->second.front();
      if (--it->second.front().times <= 0) it->second.pop_front();
      if (it->second.empty()) hostile.erase(it);
    }
    int status = res.status;
    std::string body = res.body;
    std::string type = res.get_header_value("Content-Type");
    apply_hostile(*edit, status, body, type);
    res.status = status;
    res.set_content(body, type.c_str());
    // httplib has already set Content-Length from the route's body when this runs.
    res.headers.erase("Content-Length");
    res.headers.emplace("Content-Length", std::to_string(res.body.size()));
    for (const auto& [name, value] : edit->headers) {
      res.headers.erase(name);
      res.headers.emplace(name, value);
    }
  }

  void install_hooks(httplib::Server& s) {
    // Every request counts (faulted and rejected ones too); then latency, then faults.
    // Test controls count under their own path and get neither latency nor faults.
    s.set_pre_routing_handler([this](const Request& req, Response& res) {
      Fault fault = Fault::none;
      std::optional<CannedAnswer> canned;
      int ms = 0;
      bool control = is_control(req.path);
      std::string alias = opts.kind == Kind::nexterm ? nexterm_route_alias(req.path) : "";
      {
        std::lock_guard<std::mutex> lock(mu);
        ++counters[req.path];
        if (!alias.empty()) ++counters[alias];
        if (!control) {
          fault = take_fault_locked(req.path, alias);
          if (auto it = answers.find(req.path); fault == Fault::none && it != answers.end()) {
            canned = it->second.front();
            if (--it->second.front().times <= 0) it->second.pop_front();
            if (it->second.empty()) answers.erase(it);
          }
          ms = latency;
        }
      }
      if (ms > 0) sleep_ms(ms);
      if (canned) {
        res.status = canned->status;
        res.set_content(canned->body, "application/json; charset=utf-8");
        return HandlerResponse::Handled;
      }
      if (fault == Fault::none) return HandlerResponse::Unhandled;
      apply_fault(fault, req, res);
      return HandlerResponse::Handled;
    });
    // httplib's own errors (404, 400 on a bad request line) get a text/plain body.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
      if (!res.body.empty() || res.content_provider_) return HandlerResponse::Unhandled;
      res.set_content(res.status == 404 ? std::string("Not found.") : reason(res.status),
                      "text/plain; charset=utf-8");
      return HandlerResponse::Handled;
    }));
    s.set_exception_handler([](const Request&, Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      res.status = 500;
      res.set_content("Internal error: " + what, "text/plain; charset=utf-8");
    });
    // The Date header comes from the broker clock, so a moved clock shows in it.
    s.set_post_routing_handler([this](const Request& req, Response& res) {
      res.set_header("Date", http_date(now()));
      if (!is_control(req.path)) apply_hostile_edit(req.path, res);
    });
    s.set_payload_max_length(1024 * 1024);
    s.set_keep_alive_max_count(1000);  // httplib closes after 5 requests by default
    // Node (Nexterm) and most servers send with TCP_NODELAY; without it Nagle and the
    // client's delayed ACK add ~40 ms to every keep-alive answer.
    s.set_tcp_nodelay(true);
  }
};

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

void Broker::set_client_events_wait_ms(int ms) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->client_events_wait_ms = ms > 0 ? ms : 0;
}

bool Broker::sign_quick_login(const std::string& ref, const std::string& user, bool with_token) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end() || !m.accounts.count(user)) return false;
  const std::string service_id = code->second.service;
  const QuickLoginService service = m.ql_services.at(service_id);
  for (auto it = m.ql_codes.begin(); it != m.ql_codes.end();) {  // the login is done
    it = it->second.service == service_id ? m.ql_codes.erase(it) : std::next(it);
  }
  WebSession& session = m.web_sessions[service.session];
  session.user = user;
  session.quick_login = true;
  json data = "";
  if (with_token && service.agent_api_timeout > 0) {
    int64_t expires = 0;
    data = {{"Domain", m.opts.domain},
            {"AgentApiToken", m.make_jwt_locked(user, service.agent_api_timeout, expires)}};
  }
  m.push_event_locked(service.tab, {{"type", "SignatureReceivedBE"}, {"data", data}});
  return true;
}

Broker::QuickLoginRequest Broker::quick_login_request(const std::string& ref) const {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end()) return {};
  const QuickLoginService& service = m.ql_services.at(code->second.service);
  return {service.tab, service.session, service.purpose, service.agent_api_timeout};
}

bool Broker::decline_quick_login(const std::string& ref) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  auto code = m.find_code_locked(ref);
  if (code == m.ql_codes.end()) return false;
  m.ql_codes.erase(code);
  return true;
}

bool Broker::sign_remote_petition(const std::string& ref, const std::string& user) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  const Petition* newest = nullptr;
  for (const Petition& p : m.petitions) {
    if ((p.legal_id == ref || p.session == ref) && (!newest || p.seq > newest->seq)) newest = &p;
  }
  if (!newest) return false;
  const std::string session_id = newest->session, legal_id = newest->legal_id;
  std::set<std::string> tab_ids;
  for (auto it = m.petitions.begin(); it != m.petitions.end();) {
    if (it->session != session_id) {
      ++it;
      continue;
    }
    if (!it->tab.empty()) tab_ids.insert(it->tab);
    it = m.petitions.erase(it);
  }
  WebSession& session = m.web_sessions[session_id];
  session.user = user;
  session.remote_login = true;
  session.legal_id = legal_id;
  json data = {{"Id", legal_id},
               {"State", "Approved"},
               {"Created", m.now_locked()},
               {"Properties", {{"ACCOUNT", user}}},
               {"Attachments", json::array()}};
  for (const std::string& tab : tab_ids) {
    m.push_event_locked(tab, {{"type", "SignatureReceived"}, {"data", data}});
  }
  return true;
}

std::string Broker::web_form_session(const std::string& user) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (!m.accounts.count(user)) return "";
  std::string id = to_hex(crypto::random_bytes(32));
  WebSession& session = m.web_sessions[id];
  session.user = user;
  session.web_form = true;
  return id;
}

bool Broker::push_client_event(const std::string& tab, const std::string& type,
                               const std::string& data, bool data_is_json) {
  json value = data_is_json ? json::parse(data, nullptr, false) : json(data);
  if (value.is_discarded()) throw std::invalid_argument("push_client_event: data is not JSON");
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->push_event_locked(tab, {{"type", type}, {"data", value}});
}

std::string Broker::client_tab_cookie(const std::string& tab) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tabs.find(tab);
  if (it == impl_->tabs.end() || impl_->tab_dropped_locked(it->second)) return "";
  return it->second.cookie;
}

bool Broker::client_tab_registered(const std::string& tab) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tabs.find(tab);
  return it != impl_->tabs.end() && !impl_->tab_dropped_locked(it->second);
}

std::string Broker::legal_id(const std::string& user) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->accounts.find(user);
  return it == impl_->accounts.end() ? "" : impl_->legal_id_locked(it->second);
}

void Broker::add_remote_reference(const std::string& user, const std::string& domain,
                                  const std::string& legal_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->remote_refs[user].emplace_back(domain, legal_id);
}

std::vector<SentMessage> Broker::sent_messages() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->messages;
}

void Broker::fail_next_send() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->fail_next_send = true;
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
