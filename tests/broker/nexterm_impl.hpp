// Nexterm::State, the test broker's Nexterm server state and request handlers, shared by the
// files its definition is split into along its sections:
//   nexterm.cpp            answers, rate limits, lookups, and the public Nexterm methods
//   nexterm_endpoints.cpp  device codes, API keys, and the endpoints (auth, sessions, device
//                          codes, TOTP, API keys)
//   nexterm_passkeys.cpp   passkeys
// Private to those files: the names below are the server's internals, not the broker's API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "nexterm.hpp"
#include "nexterm_util.hpp"
#include "webauthn_verify.hpp"

namespace testbroker {
namespace nexterm_detail {

// --- the data ---------------------------------------------------------------------------------

struct Account {
  int id = 0;
  std::string username, password, first_name, last_name, totp_secret;
  bool totp_enabled = false, admin = false;
};

struct Session {
  int id = 0, account_id = 0;
  std::string token, ip, user_agent;
  int64_t last_activity = 0;  // ms
};

struct DeviceCode {
  int id = 0;
  std::string code, token, client_type, ip, user_agent;
  int64_t created = 0;  // ms
  int session_id = 0;   // 0: not authorized yet
};

struct ApiKey {
  int id = 0, account_id = 0;
  std::string name, token, prefix;
  int64_t created = 0;
  std::optional<int64_t> expires, last_used;
};

// A row of the Passkeys table.
struct Passkey {
  int id = 0, account_id = 0;
  std::string credential_id;  // base64url of the credential id from the authenticator data
  std::string public_key;     // the COSE_Key bytes from the authenticator data
  uint32_t counter = 0;
  std::string name;
  int64_t created = 0;  // ms
};

// A passkey challenge (the controller's challenge store): base64url of 32 random bytes.
struct Challenge {
  bool registration = false;
  int account_id = 0;  // registration: the account that asked
  int64_t created = 0;
};

// express-rate-limit's MemoryStore: a window per client that starts at its first hit.
struct Limiter {
  int limit = 0;
  int64_t window_ms = 0;
  std::string message;
  struct Window {
    int hits = 0;
    int64_t reset = 0;
  };
  std::map<std::string, Window> clients;
};

// Who an authenticated request is: a session, or an API key (session == nullptr).
struct Auth {
  Account* account = nullptr;
  Session* session = nullptr;
  ApiKey* api_key = nullptr;
};

// A request body as Express 5 sees it after express.json(): undefined without
// `Content-Type: application/json`.
struct Body {
  bool defined = false;
  json value;
};

}  // namespace nexterm_detail

// The Nexterm files use these names unqualified, as they did when they were one file.
using namespace nexterm_detail;

struct Nexterm::State {
  std::function<int64_t()> now_ms;
  mutable std::mutex mu;  // guards everything below
  std::map<int, Account> accounts;
  std::map<int, Session> sessions;  // by id = creation order
  std::map<int, DeviceCode> devices;
  std::map<int, ApiKey> api_keys;
  std::map<int, Passkey> passkeys;
  std::map<std::string, Challenge> challenges;  // by challenge
  int next_account = 1, next_session = 1, next_device = 1, next_api_key = 1, next_passkey = 1;
  bool production = false, registration_open = false, password_login = true;
  Limiter auth_limiter{20, 15 * 60 * 1000, "Too many requests, please try again later.", {}};
  Limiter device_limiter{10, 60 * 60 * 1000, "Too many requests. Please try again later.", {}};
  std::mt19937 shuffle_rng{std::random_device{}()};

  explicit State(std::function<int64_t()> f);

  // --- answers ---

  static void send_json(Response& res, const json& j, int status = 200);
  static void send_message(Response& res, int status, const std::string& message);
  static void send_code(Response& res, int code, const std::string& message);
  void express_error(Response& res, int status, const std::string& detail) const;
  void crash(Response& res, const std::string& property, const std::string& where) const;
  void unknown_route(const Request& req, Response& res) const;
  bool parse_body(const Request& req, Response& res, Body& body) const;

  // --- rate limits ---

  bool rate_limited(Limiter& l, const Request& req, Response& res);

  // --- lookups ---

  Account* account_by_name(const std::string& name);
  const Account& account_or_throw(const std::string& name) const;
  Session* session_by_token(const std::string& token);
  Session& create_session(int account_id, const std::string& ip, const std::string& user_agent,
                          int64_t last_activity);
  ApiKey* valid_api_key(const std::string& token);
  std::optional<Auth> authenticate(const Request& req, Response& res);
  bool has_valid_session(const Request& req);

  // --- device codes ---

  bool device_expired(const DeviceCode& d) const;
  void cleanup_devices();
  DeviceCode* device_by_code(const std::string& code);
  DeviceCode* live_device_by_code(const std::string& code);
  std::string new_user_code();
  std::variant<int, Session*> authorize_device(const std::string& code, int account_id);
  json poll_device(const std::string& token);
  static json device_info(const DeviceCode& d);

  // --- API keys ---

  static json serialize(const ApiKey& k);
  ApiKey& create_api_key(int account_id, const std::string& name, std::optional<int64_t> expires);

  // --- endpoints ---

  void is_fts(const Request&, Response& res, const Body&);
  void version(const Request&, Response& res, const Body&);
  void providers(const Request&, Response& res, const Body&);
  void register_account(const Request&, Response& res, const Body& body);
  void login(const Request& req, Response& res, const Body& body);
  bool totp_matches(const Account& a, double code) const;
  void logout(const Request&, Response& res, const Body& body);
  void me(const Request& req, Response& res, const Body&);
  void sessions_list(const Request& req, Response& res, const Body&);
  void session_delete(const Request& req, Response& res, const Body&);
  void device_create(const Request& req, Response& res, const Body& body);
  void device_poll(const Request&, Response& res, const Body& body);
  std::optional<std::string> code_body(const Request& req, Response& res, const Body& body,
                                       std::optional<Auth>& auth);
  void device_info_route(const Request& req, Response& res, const Body& body);
  void device_authorize(const Request& req, Response& res, const Body& body);
  void device_link_status(const Request& req, Response& res, const Body& body);
  void totp_secret_route(const Request& req, Response& res, const Body&);
  void totp_enable(const Request& req, Response& res, const Body& body);
  void totp_disable(const Request& req, Response& res, const Body&);
  std::optional<Auth> session_only(const Request& req, Response& res);
  void api_keys_create(const Request& req, Response& res, const Body& body);
  void api_keys_list(const Request& req, Response& res, const Body&);
  void api_keys_delete(const Request& req, Response& res, const Body&);

  // --- passkeys (shared/specs/nexterm-passkeys.md) ---

  std::string issue_challenge(bool registration, int account_id);
  bool consume_challenge(const std::string& c, bool registration, int account_id);
  std::vector<const Passkey*> passkeys_of(int account_id) const;
  Passkey* passkey_by_credential(const std::string& credential_id);
  static json credential_list(const std::vector<const Passkey*>& list);

  struct ClientData {
    json value;       // the parsed object
    std::string raw;  // the decoded bytes (hashed for signatures)
  };

  static ClientData client_data_of(const json& response);
  static std::string challenge_in(const ClientData& cd);
  static void check_credential_and_client_data(const json& response, const ClientData& cd,
                                               const std::string& origin, bool registration);
  static void check_backup_flags(const webauthn::AuthData& ad);

  struct NewCredential {
    std::string id;  // base64url
    std::string public_key;
    uint32_t counter = 0;
  };

  static bool verify_registration(const json& response, const ClientData& cd,
                                  const std::string& origin, const std::string& rp_id,
                                  NewCredential& out);
  static bool verify_packed_self(const webauthn::Cbor* att_stmt, const std::string& auth_data,
                                 const std::string& client_data, const webauthn::CoseKey& key);
  static bool is_base64url_string(const json* v);
  static bool verify_authentication(const json& response, const ClientData& cd,
                                    const std::string& origin, const std::string& rp_id,
                                    const Passkey& pk, uint32_t& new_counter);
  void invalid_url(Response& res, const std::string& where) const;
  void passkey_register_options(const Request& req, Response& res, const Body& body);
  void passkey_register_verify(const Request& req, Response& res, const Body& body);
  void passkey_list(const Request& req, Response& res, const Body&);
  Passkey* own_passkey(const Request& req, Response& res, const Account& a, bool& invalid);
  void passkey_rename(const Request& req, Response& res, const Body& body);
  void passkey_delete(const Request& req, Response& res, const Body&);
  void passkey_auth_options(const Request& req, Response& res, const Body& body);
  void passkey_auth_verify(const Request& req, Response& res, const Body& body);
};

}  // namespace testbroker
