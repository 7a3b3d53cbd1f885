// Broker::Impl, the test broker's state and request handlers, shared by the files its
// definition is split into along its sections:
//   broker.cpp           lifecycle, answers, JWT, failed-signature audit, faults, and the
//                        public Broker methods but those of the web side
//   broker_neuron.cpp    Neuron endpoints (the Agent API account endpoints)
//   broker_web.cpp       web sessions and client events (the IoTGateway side of the Neuron),
//                        with the public Broker methods that play the phone app and read
//                        what was sent
//   broker_controls.cpp  test controls (/_test/...), route registration and the server hooks
// Private to those files: the names below are the broker's internals, not its API.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker.hpp"
#include "broker_crypto.hpp"
#include "broker_util.hpp"
#include "nexterm.hpp"

namespace testbroker {
namespace broker_detail {

constexpr int kDefaultClientEventsWaitMs = 20000;  // /ClientEvents answers NOP after this

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

}  // namespace broker_detail

// The broker's files use these names unqualified, as they did when they were one file.
using namespace broker_detail;

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

  explicit Impl(Options o);
  int64_t now() const;
  int64_t now_locked() const;
  int64_t now_ms() const;
  bool sleep_ms(int ms);

  // --- answers ---

  static void send_json(Response& res, const json& j, int status = 200);
  static void send_error(const Request& req, Response& res, int status, const std::string& msg);
  void send_unauthorized(const Request& req, Response& res) const;
  static std::string too_many_text(const Request& req);
  static std::optional<json> read_body(const Request& req, Response& res);
  // As above, and checked against `fields` (check_schema), or nullopt after answering 400.
  static std::optional<json> read_body(const Request& req, Response& res,
                                       std::initializer_list<Field> fields);
  static bool valid_seconds(const json& j);

  // --- JWT ---

  std::string make_jwt_locked(const std::string& user, int64_t seconds, int64_t& expires) const;

  struct Decoded {
    json header, claims;
    std::string header_text, payload_text, signature;
  };

  std::optional<Decoded> verify_jwt_locked(const std::string& token) const;
  static std::string bearer_token(const Request& req);
  std::optional<json> require_bearer_locked(const Request& req, Response& res) const;

  // --- failed-signature audit (per client IP, broker clock) ---

  bool blocked_locked(const std::string& ip) const;
  bool register_failure_locked(const std::string& ip);

  // --- faults ---

  Fault take_fault_locked(const std::string& path, const std::string& alias);
  bool drop_connection(const Request& req);
  void drop_all_connections();
  void apply_fault(Fault fault, const Request& req, Response& res);

  // --- Neuron endpoints ---

  void domain_info(const Request&, Response& res);
  static bool signature_ok(const std::string& key, const std::string& before_host,
                           const std::string& after_host, const std::string& host,
                           const std::string& signature);
  void signature_failed_locked(const Request& req, Response& res);
  void login(const Request& req, Response& res);
  void create(const Request& req, Response& res);
  void verify(const Request& req, Response& res, bool email);
  void resend_codes(const Request& req, Response& res);
  void refresh(const Request& req, Response& res);
  void logout(const Request& req, Response& res);
  void info(const Request& req, Response& res);
  void authenticate_jwt(const Request& req, Response& res);

  // --- web sessions and client events (the IoTGateway side of the Neuron) ---

  std::string web_session_locked(const Request& req, Response& res);
  WebSession* find_web_session_locked(const Request& req);
  bool tab_dropped_locked(const ClientTab& tab) const;
  bool push_event_locked(const std::string& tab_id, const json& event);
  void client_events(const Request& req, Response& res);
  void page_quick_login(const Request& req, Response& res);
  std::map<std::string, QuickLoginCode>::iterator find_code_locked(const std::string& ref);
  void agent_quick_login(const Request& req, Response& res);
  void send_basic_challenge(const Request& req, Response& res) const;
  void www_login(const Request& req, Response& res);
  void get_session_token(const Request& req, Response& res);
  std::string legal_id_locked(Account& a);
  Account* bearer_account_empty_body_locked(const Request& req, Response& res);
  void prepare_remote_quick_login(const Request& req, Response& res);
  void remote_references(const Request& req, Response& res);
  void remote_quick_login(const Request& req, Response& res);
  void send_text_message(const Request& req, Response& res);

  // --- test controls (/_test/...) ---

  static std::optional<json> control_body(const Request& req, Response& res);
  void register_routes(httplib::Server& s, Broker& broker);
  void register_neuron_routes(httplib::Server& s);
  void register_control_routes(httplib::Server& s, Broker& broker);
  void apply_hostile_edit(const std::string& path, Response& res);
  void install_hooks(httplib::Server& s);
};

}  // namespace testbroker
