// Self-test of the test broker's Nexterm server: talks to it over real sockets with
// httplib::Client and checks the behaviour of shared/specs/nexterm-api.md (error shapes, Joi
// messages, Express error pages, 0/1 booleans, TOTP with no window and the leading-zero bug,
// device flows and their expiry, rate limits and their headers, sessions, API keys), plus
// the test hooks. TOTP is recomputed here with OpenSSL and checked against RFC 6238.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <httplib.h>

#include <chrono>
#include <cstring>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker.hpp"
#include "harness.hpp"

using nlohmann::json;

namespace {

const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

const char* kUa = "authctl-selftest/1.0 (linux)";

bool matches(const std::string& s, const char* re) {
  return std::regex_match(s, std::regex(re));
}
bool is_hex(const std::string& s, size_t n) {
  return s.size() == n && matches(s, "[0-9a-f]*");
}
const char* kIsoMs = R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)";

// An independent TOTP (RFC 6238, SHA1, 6 digits, 30 s).
std::string totp(const std::string& base32, int64_t t) {
  std::string key;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : base32) {
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    buf = (buf << 5) | static_cast<uint32_t>(std::strchr(alphabet, c) - alphabet);
    bits += 5;
    if (bits >= 8) {
      key += static_cast<char>((buf >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  unsigned char msg[8];
  uint64_t counter = static_cast<uint64_t>(t / 30);
  for (int i = 7; i >= 0; --i, counter >>= 8) msg[i] = static_cast<unsigned char>(counter);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, 8, md, &len);
  int o = md[len - 1] & 15;
  uint32_t v = ((md[o] & 0x7fu) << 24) | (md[o + 1] << 16) | (md[o + 2] << 8) | md[o + 3];
  char out[8];
  std::snprintf(out, sizeof out, "%06u", v % 1000000u);
  return out;
}

struct Nx {
  testbroker::Broker broker;
  httplib::Client cli;
  explicit Nx(testbroker::Kind kind = testbroker::Kind::nexterm)
      : broker(options(kind)), cli(start_and_url(broker)) {
    broker.add_nexterm_account("alice", "Passw0rd!", false, true);
    cli.set_connection_timeout(5);
    cli.set_read_timeout(5);
  }
  static testbroker::Options options(testbroker::Kind kind) {
    testbroker::Options o;
    o.kind = kind;
    return o;
  }
  static std::string start_and_url(testbroker::Broker& b) {
    b.start();
    return b.url();
  }
  httplib::Headers headers(const std::string& token, const char* ua = kUa) {
    httplib::Headers h{{"Accept", "application/json"}, {"User-Agent", ua}};
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return h;
  }
  httplib::Result post(const std::string& path, const json& body, const std::string& token = "",
                       const char* ua = kUa) {
    return cli.Post(path.c_str(), headers(token, ua), body.dump(), "application/json");
  }
  httplib::Result get(const std::string& path, const std::string& token = "") {
    return cli.Get(path.c_str(), headers(token));
  }
  httplib::Result del(const std::string& path, const std::string& token) {
    return cli.Delete(path.c_str(), headers(token));
  }
  std::string login(const std::string& user = "alice", const std::string& pw = "Passw0rd!") {
    auto r = post("/api/auth/login", {{"username", user}, {"password", pw}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["token"];
  }
  // Moves the broker clock 5 s into the next 30 s step whose code for `user` does (or does
  // not) start with 0, and returns that code: no timing luck.
  std::string land_in_step(const std::string& user, bool leading_zero) {
    for (int64_t step = broker.now() / 30 + 1;; ++step) {
      std::string code = broker.nexterm_totp_code(user, step * 30);
      if ((code[0] == '0') == leading_zero) {
        broker.advance_clock(step * 30 + 5 - broker.now());
        return code;
      }
    }
  }
};

json body(const httplib::Result& r) {
  return json::parse(r->body);
}
bool is_json(const httplib::Result& r) {
  return r->get_header_value("Content-Type").rfind("application/json", 0) == 0;
}
bool is_html(const httplib::Result& r) {
  return r->get_header_value("Content-Type").rfind("text/html", 0) == 0;
}
// A 200 carrying an application error: {"code": <integer>, "message": ...}.
void check_app_error(const httplib::Result& r, int code, const std::string& message = "") {
  REQUIRE(r);
  CHECK(r->status == 200);
  REQUIRE(is_json(r));
  json j = body(r);
  CHECK(j["code"] == code);
  CHECK(j["code"].is_number_integer());
  if (!message.empty()) CHECK(j["message"] == message);
}
void check_message(const httplib::Result& r, int status, const std::string& message) {
  REQUIRE(r);
  CHECK(r->status == status);
  REQUIRE(is_json(r));
  CHECK(body(r) == json{{"message", message}});
}

}  // namespace

TEST_CASE("nexterm: the test's TOTP matches RFC 6238 and the broker's codes") {
  // RFC 6238 appendix B, SHA1 seed "12345678901234567890", last 6 of the 8 digits.
  CHECK(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59) == "287082");
  CHECK(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1111111109) == "081804");
  CHECK(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 20000000000) == "353130");
  Nx f;
  std::string secret = f.broker.nexterm_totp_secret("alice");
  CHECK(secret.size() == 52);
  CHECK(matches(secret, "[A-Z2-7]+"));
  for (int64_t t : {int64_t{0}, int64_t{1700000000}, f.broker.now()}) {
    CHECK(f.broker.nexterm_totp_code("alice", t) == totp(secret, t));
  }
}

TEST_CASE("nexterm: service endpoints, kinds and unknown routes") {
  Nx f;
  auto r = f.get("/api/service/version");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(is_json(r));
  CHECK(body(r) == json{{"version", "1.2.2-BETA"}});
  CHECK(!r->get_header_value("Date").empty());
  r = f.get("/api/service/is-fts");
  CHECK(r->body == "false");
  r = f.get("/api/auth/providers");
  json p = body(r);
  REQUIRE(p.is_array());
  CHECK(p[0]["isInternal"] == true);
  CHECK(p[0]["enabled"] == true);
  CHECK(p[0]["allowRegistration"] == false);

  // A Neuron path on Nexterm: Express's 404 page; in production the web UI's index.html.
  r = f.get("/Agent/Account/DomainInfo");
  CHECK(r->status == 404);
  CHECK(is_html(r));
  CHECK(r->body.find("Cannot GET /Agent/Account/DomainInfo") != std::string::npos);
  f.broker.set_production_mode(true);
  r = f.get("/Agent/Account/DomainInfo");
  CHECK(r->status == 200);
  CHECK(is_html(r));
  CHECK(r->body.find("<div id=\"root\"></div>") != std::string::npos);
  r = f.post("/api/nope", json::object());
  CHECK(r->status == 404);
  CHECK(r->body.find("Cannot POST /api/nope") != std::string::npos);
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 2);

  // A Nexterm probe on a Neuron broker: 404, not JSON.
  Nx neuron(testbroker::Kind::neuron);
  r = neuron.get("/api/service/version");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(!is_json(r));
  r = neuron.get("/Agent/Account/DomainInfo");
  CHECK(r->status == 200);

  // A fresh Nexterm has no account: first-time setup.
  testbroker::Options o;
  o.kind = testbroker::Kind::nexterm;
  testbroker::Broker empty(o);
  empty.start();
  httplib::Client c(empty.url());
  CHECK(c.Get("/api/service/is-fts")->body == "true");
}

TEST_CASE("nexterm: request conventions (Content-Type, malformed JSON, Joi messages)") {
  Nx f;
  // No Content-Type: the server crashes into a 500 HTML page (after the limiter counted).
  auto r = f.cli.Post("/api/auth/login", f.headers(""), R"({"username":"alice"})", "text/plain");
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(is_html(r));
  CHECK(r->body.find("TypeError") != std::string::npos);
  CHECK(r->get_header_value("RateLimit-Remaining") == "19");
  // In production the page has no details.
  f.broker.set_production_mode(true);
  r = f.cli.Post("/api/auth/logout", f.headers(""), "{}", "text/plain");
  CHECK(r->status == 500);
  CHECK(r->body.find("<pre>Internal Server Error</pre>") != std::string::npos);
  f.broker.set_production_mode(false);
  // Malformed JSON: 400 HTML.
  r = f.cli.Post("/api/auth/logout", f.headers(""), R"({"token": )", "application/json");
  CHECK(r->status == 400);
  CHECK(is_html(r));
  CHECK(r->body.find("SyntaxError") != std::string::npos);

  check_message(f.post("/api/auth/login", {{"username", "alice"}}), 400, "password is required");
  check_message(f.post("/api/auth/login", {{"username", "alice"}, {"password", "x"}, {"extra", 1}}),
                400, "extra is not allowed");
  check_message(
      f.post("/api/auth/login", {{"username", "alice"}, {"password", "x"}, {"code", "a"}}), 400,
      "code must be a number");
  check_message(f.post("/api/auth/logout", {{"token", "abc"}}), 400,
                "token length must be 96 characters long");
  check_message(f.post("/api/auth/device/poll", {{"token", std::string(96, 'a')}}), 400,
                "token length must be 64 characters long");
  check_message(f.post("/api/auth/device/poll", {{"token", std::string(64, 'z')}}), 400,
                "token must only contain hexadecimal characters");
  check_message(f.post("/api/auth/device/create", {{"clientType", "phone"}}), 400,
                "clientType must be one of [mobile, connector, web]");
  std::string t = f.login();
  check_message(f.post("/api/auth/device/info", {{"code", "abcd-efgh"}}, t), 400,
                "Code must be in format XXXX-XXXX");
  check_message(f.post("/api/auth/device/info", json::object(), t), 400, "code is required");
  check_message(
      f.post("/api/accounts/register",
             {{"username", "ab"}, {"password", "secret"}, {"firstName", "A"}, {"lastName", "B"}}),
      400, "username length must be at least 3 characters long");
}

TEST_CASE("nexterm: authorization header errors") {
  Nx f;
  auto r = f.cli.Get("/api/accounts/me");
  check_message(r, 400, "You need to provide the 'authorization' header");
  r = f.cli.Get("/api/accounts/me", {{"Authorization", "Bearer"}});
  check_message(r, 400, "You need to provide the token in the 'authorization' header");
  r = f.cli.Get("/api/accounts/me", {{"Authorization", "Bearer a b"}});
  check_message(r, 400, "You need to provide the token in the 'authorization' header");
  check_message(f.get("/api/accounts/me", std::string(96, 'a')), 401,
                "The provided token is not valid");
  check_message(f.get("/api/accounts/me", "nxt_" + std::string(64, 'a')), 401,
                "The provided API key is not valid");
  // The scheme word is not checked.
  std::string t = f.login();
  r = f.cli.Get("/api/accounts/me", {{"Authorization", "Token " + t}});
  CHECK(r->status == 200);
}

TEST_CASE("nexterm: register") {
  testbroker::Options o;
  o.kind = testbroker::Kind::nexterm;
  testbroker::Broker b(o);
  b.start();
  httplib::Client c(b.url());
  auto reg = [&](const std::string& user) {
    json j = {{"username", user}, {"password", "Secret1!"}, {"firstName", "F"}, {"lastName", "L"}};
    return c.Post("/api/accounts/register", j.dump(), "application/json");
  };
  auto r = reg("admin1");
  check_message(r, 200, "Your account has been successfully created.");
  check_app_error(reg("second"), 107);  // self-registration is off
  b.set_registration_open(true);
  check_message(reg("second"), 200, "Your account has been successfully created.");
  check_app_error(reg("second"), 101);
  // The first account is the admin.
  for (auto [user, admin] : {std::pair<const char*, bool>{"admin1", true}, {"second", false}}) {
    json login = {{"username", user}, {"password", "Secret1!"}};
    auto l = c.Post("/api/auth/login", login.dump(), "application/json");
    std::string token = json::parse(l->body)["token"];
    auto me = c.Get("/api/accounts/me", {{"Authorization", "Bearer " + token}});
    CHECK(json::parse(me->body)["isAdmin"] == admin);
  }
}

TEST_CASE("nexterm: login results in the spec's order") {
  Nx f;
  f.broker.add_nexterm_account("bob", "B0bPass!", true);
  check_app_error(f.post("/api/auth/login", {{"username", "alice"}, {"password", "wrong"}}), 201,
                  "Username or password incorrect");
  check_app_error(f.post("/api/auth/login", {{"username", "nobody"}, {"password", "x"}}), 201);
  check_app_error(f.post("/api/auth/login", {{"username", "bob"}, {"password", "B0bPass!"}}), 202,
                  "TOTP is required for this account");
  check_app_error(
      f.post("/api/auth/login", {{"username", "bob"}, {"password", "B0bPass!"}, {"code", 0}}), 202);

  // Only the current step counts, and a code starting with 0 never does.
  std::string zero = f.land_in_step("bob", true);
  auto with_code = [&](const json& code) {
    return f.post("/api/auth/login",
                  {{"username", "bob"}, {"password", "B0bPass!"}, {"code", code}});
  };
  check_app_error(with_code(std::stoi(zero)), 203, "Your provided code is invalid or has expired.");
  check_app_error(with_code(zero), 203);  // the string is turned into the number too
  std::string good = f.land_in_step("bob", false);
  int64_t step = f.broker.now() / 30;
  check_app_error(with_code(std::stoi(f.broker.nexterm_totp_code("bob", (step - 1) * 30))), 203);
  check_app_error(with_code(std::stoi(f.broker.nexterm_totp_code("bob", (step + 1) * 30))), 203);
  auto r = with_code(std::stoi(good));
  REQUIRE(r->status == 200);
  json j = body(r);
  CHECK(is_hex(j["token"], 96));
  CHECK(j["totpRequired"] == 1);
  CHECK(j["message"] == "Your session got successfully created");
  CHECK(r->get_header_value("Authorization") == j["token"]);

  r = f.post("/api/auth/login", {{"username", "alice"}, {"password", "Passw0rd!"}});
  CHECK(body(r)["totpRequired"] == 0);
  auto sessions = f.broker.nexterm_sessions("alice");
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].user_agent == kUa);
  CHECK(sessions[0].ip == "127.0.0.1");

  // Password login disabled comes first, even for wrong passwords.
  f.broker.set_password_login_enabled(false);
  check_app_error(f.post("/api/auth/login", {{"username", "alice"}, {"password", "wrong"}}), 403,
                  "No login method is enabled");
  CHECK(body(f.get("/api/auth/providers")).empty());
}

TEST_CASE("nexterm: auth rate limit, headers, 429 and reset") {
  Nx f;
  for (int i = 1; i <= 20; ++i) {
    auto r = f.post("/api/auth/login", {{"username", "alice"}, {"password", i % 2 ? "x" : ""}});
    REQUIRE(r);
    CHECK(r->status != 429);
    CHECK(r->get_header_value("RateLimit-Policy") == "20;w=900");
    CHECK(r->get_header_value("RateLimit-Limit") == "20");
    CHECK(r->get_header_value("RateLimit-Remaining") == std::to_string(20 - i));
    int reset = std::stoi(r->get_header_value("RateLimit-Reset"));
    CHECK(reset > 890);
    CHECK(reset <= 900);
  }
  auto r = f.post("/api/auth/login", {{"username", "alice"}, {"password", "Passw0rd!"}});
  CHECK(r->status == 429);
  CHECK(is_json(r));
  CHECK(body(r)["code"] == 429);
  CHECK(body(r)["message"].is_string());
  CHECK(std::stoi(r->get_header_value("Retry-After")) > 0);
  CHECK(r->get_header_value("RateLimit-Remaining") == "0");
  // Not limited: logout, authenticated routes.
  CHECK(f.get("/api/accounts/me", f.broker.nexterm_session("alice", kUa))->status == 200);
  CHECK(!f.post("/api/auth/logout", {{"token", std::string(96, 'a')}})
             ->has_header("RateLimit-Limit"));

  f.broker.reset_rate_limits();
  CHECK(f.post("/api/auth/login", {{"username", "alice"}, {"password", "Passw0rd!"}})->status ==
        200);
  // The window ends on the broker clock; reset_failures resets the limits too.
  for (int i = 0; i < 20; ++i) f.post("/api/auth/login", {{"username", "x"}, {"password", "x"}});
  CHECK(f.post("/api/auth/login", {{"username", "x"}, {"password", "x"}})->status == 429);
  f.broker.advance_clock(15 * 60 + 1);
  CHECK(f.post("/api/auth/login", {{"username", "x"}, {"password", "x"}})->status == 200);
  for (int i = 0; i < 20; ++i) f.post("/api/auth/login", {{"username", "x"}, {"password", "x"}});
  f.broker.reset_failures();
  CHECK(f.post("/api/auth/login", {{"username", "x"}, {"password", "x"}})->status == 200);
}

TEST_CASE("nexterm: device rate limit, skipped with a session token") {
  Nx f;
  for (int i = 1; i <= 10; ++i) {
    auto r = f.post("/api/auth/device/create", {{"clientType", "connector"}});
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("RateLimit-Policy") == "10;w=3600");
    CHECK(r->get_header_value("RateLimit-Remaining") == std::to_string(10 - i));
  }
  auto r = f.post("/api/auth/device/create", {{"clientType", "connector"}});
  CHECK(r->status == 429);
  CHECK(body(r)["code"] == 429);
  CHECK(r->has_header("Retry-After"));
  // A valid session token skips the limiter (no headers); an API key does not.
  std::string t = f.broker.nexterm_session("alice", kUa);
  r = f.post("/api/auth/device/create", {{"clientType", "mobile"}}, t);
  CHECK(r->status == 200);
  CHECK(!r->has_header("RateLimit-Limit"));
  r = f.post("/api/auth/device/create", {{"clientType", "mobile"}},
             f.broker.nexterm_api_key("alice", "k"));
  CHECK(r->status == 429);
  f.broker.reset_rate_limits();
  CHECK(f.post("/api/auth/device/create", {{"clientType", "web"}})->status == 200);
}

TEST_CASE("nexterm: device flow 1, log this machine in") {
  Nx f;
  int64_t before = f.broker.now();
  auto r = f.post("/api/auth/device/create", {{"clientType", "connector"}}, "", "authctl/0.1 cli");
  REQUIRE(r->status == 200);
  json d = body(r);
  std::string code = d["code"], poll = d["token"];
  CHECK(matches(code, "[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}"));
  CHECK(is_hex(poll, 64));
  CHECK(matches(d["expiresAt"], kIsoMs));
  CHECK(f.broker.device_poll_token_for(code) == poll);
  (void)before;

  auto poll_status = [&] { return body(f.post("/api/auth/device/poll", {{"token", poll}})); };
  CHECK(poll_status() == json{{"status", "pending"}});

  std::string approver = f.login();
  r = f.post("/api/auth/device/info", {{"code", code}}, approver);
  json info = body(r);
  CHECK(info["userAgent"] == "authctl/0.1 cli");  // captured at create
  CHECK(info["ipAddress"] == "127.0.0.1");
  CHECK(info["clientType"] == "connector");
  CHECK(info["expiresAt"] == d["expiresAt"]);
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", code}}, approver))["status"] ==
        "pending");

  r = f.post("/api/auth/device/authorize", {{"code", code}}, approver);
  REQUIRE(r->status == 200);
  CHECK(body(r)["message"].is_string());
  CHECK(body(r)["deviceInfo"]["userAgent"] == "authctl/0.1 cli");
  check_app_error(f.post("/api/auth/device/info", {{"code", code}}, approver), 400,
                  "Device code has already been authorized");
  check_app_error(f.post("/api/auth/device/authorize", {{"code", code}}, approver), 400);
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", code}}, approver))["status"] ==
        "authorized");

  json got = poll_status();
  CHECK(got["status"] == "authorized");
  CHECK(is_hex(got["token"], 96));
  CHECK(poll_status() == json{{"status", "invalid"}});  // exactly once
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", code}}, approver))["status"] ==
        "claimed");
  // The new session is the approver's, labelled with the device's User-Agent.
  auto me = f.get("/api/accounts/me", got["token"]);
  CHECK(body(me)["username"] == "alice");
  bool found = false;
  for (const auto& s : f.broker.nexterm_sessions("alice")) {
    found = found || (s.token == got["token"] && s.user_agent == "authctl/0.1 cli");
  }
  CHECK(found);

  // Unknown codes.
  check_app_error(f.post("/api/auth/device/info", {{"code", "AAAA-AAAA"}}, approver), 404,
                  "Invalid or expired device code");
  check_app_error(f.post("/api/auth/device/authorize", {{"code", "AAAA-AAAA"}}, approver), 404);
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", "AAAA-AAAA"}}, approver))["status"] ==
        "claimed");
  CHECK(body(f.post("/api/auth/device/poll", {{"token", std::string(64, 'a')}}))["status"] ==
        "invalid");
  // info/authorize/link-status need auth; an API key will do.
  CHECK(f.post("/api/auth/device/info", {{"code", code}})->status == 400);
  std::string key = f.broker.nexterm_api_key("alice", "ci");
  check_app_error(f.post("/api/auth/device/info", {{"code", "AAAA-AAAA"}}, key), 404);
}

TEST_CASE("nexterm: device codes expire after 10 minutes of broker clock") {
  Nx f;
  std::string approver = f.broker.nexterm_session("alice", kUa);
  auto create = [&] {
    return body(f.post("/api/auth/device/create", {{"clientType", "mobile"}}, approver));
  };
  json a = create(), b = create();
  f.broker.advance_clock(9 * 60 + 50);
  CHECK(body(f.post("/api/auth/device/poll", {{"token", a["token"]}}))["status"] == "pending");
  f.broker.advance_clock(15);
  // link/status does not clean up first: "expired", then the row is gone: "claimed".
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", b["code"]}}, approver))["status"] ==
        "expired");
  CHECK(body(f.post("/api/auth/device/link/status", {{"code", b["code"]}}, approver))["status"] ==
        "claimed");
  CHECK(body(f.post("/api/auth/device/poll", {{"token", a["token"]}}))["status"] == "invalid");
  check_app_error(f.post("/api/auth/device/info", {{"code", a["code"]}}, approver), 404);
  CHECK(f.broker.device_approve(a["code"], "alice").empty());
}

TEST_CASE("nexterm: device flow 2, link a phone (hooks)") {
  Nx f;
  std::string t = f.login();
  json d = body(f.post("/api/auth/device/create", {{"clientType", "mobile"}}, t));
  CHECK(f.post("/api/auth/device/authorize", {{"code", d["code"]}}, t)->status == 200);
  auto status = [&] {
    return body(f.post("/api/auth/device/link/status", {{"code", d["code"]}}, t))["status"];
  };
  CHECK(status() == "authorized");
  CHECK(f.broker.device_claim(d["token"]));
  CHECK(!f.broker.device_claim(d["token"]));
  CHECK(status() == "claimed");

  // The web UI's approval of flow 1, then the CLI's poll.
  json e = body(f.post("/api/auth/device/create", {{"clientType", "connector"}}, "", "cli/2"));
  std::string token = f.broker.device_approve(e["code"], "alice");
  CHECK(is_hex(token, 96));
  CHECK(f.broker.device_approve(e["code"], "alice").empty());
  json p = body(f.post("/api/auth/device/poll", {{"token", e["token"]}}));
  CHECK(p["token"] == token);
}

TEST_CASE("nexterm: sessions list and delete") {
  Nx f;
  f.broker.add_nexterm_account("carol", "C4rolPass!");
  std::string other = f.broker.nexterm_session("carol", "carol-ua");
  std::vector<std::string> tokens;
  for (int i = 0; i < 6; ++i) {
    tokens.push_back(f.broker.nexterm_session("alice", "ua-" + std::to_string(i),
                                              "10.0.0." + std::to_string(i),
                                              f.broker.now() - 1000 * i));
  }
  f.broker.advance_clock(100);
  auto r = f.get("/api/sessions/list", tokens[2]);
  REQUIRE(r->status == 200);
  json list = body(r);
  REQUIRE(list.size() == 6);
  std::set<int> ids;
  int current = 0;
  for (const json& s : list) {
    CHECK(s["id"].is_number_integer());
    CHECK(matches(s["lastActivity"], kIsoMs));
    CHECK(s["current"].is_boolean());
    ids.insert(s["id"].get<int>());
    if (s["current"] == true) {
      ++current;
      CHECK(s["userAgent"] == "ua-2");
      CHECK(s["ip"] == "127.0.0.1");  // updated by the request
    }
  }
  CHECK(ids.size() == 6);
  CHECK(current == 1);
  // Every authenticated request updates lastActivity (broker clock) and ip.
  auto infos = f.broker.nexterm_sessions("alice");
  CHECK(infos[2].last_activity >= f.broker.now() - 1);
  CHECK(infos[2].ip == "127.0.0.1");
  CHECK(infos[3].ip == "10.0.0.3");
  CHECK(infos[3].last_activity <= f.broker.now() - 3000);

  // Not sorted: over a few calls the order changes.
  std::set<std::vector<int>> orders;
  for (int i = 0; i < 10; ++i) {
    std::vector<int> order;
    for (const json& s : body(f.get("/api/sessions/list", tokens[0]))) order.push_back(s["id"]);
    orders.insert(order);
  }
  CHECK(orders.size() > 1);

  // API key: the server crashes.
  std::string key = f.broker.nexterm_api_key("alice", "k");
  r = f.get("/api/sessions/list", key);
  CHECK(r->status == 500);
  CHECK(is_html(r));

  int other_id = f.broker.nexterm_sessions("carol")[0].id;
  check_app_error(f.del("/api/sessions/" + std::to_string(other_id), tokens[0]), 206,
                  "The provided session does not exist");
  check_app_error(f.del("/api/sessions/99999", tokens[0]), 206);
  check_app_error(f.del("/api/sessions/abc", tokens[0]), 206);
  r = f.del("/api/sessions/" + std::to_string(infos[1].id), tokens[0]);
  CHECK(body(r)["message"].is_string());
  CHECK(f.get("/api/accounts/me", tokens[1])->status == 401);
  // Deleting the current session logs you out.
  CHECK(f.del("/api/sessions/" + std::to_string(infos[0].id), tokens[0])->status == 200);
  check_message(f.get("/api/accounts/me", tokens[0]), 401, "The provided token is not valid");
  CHECK(f.broker.count("/api/sessions/:id") == 5);
  CHECK(f.get("/api/accounts/me", other)->status == 200);

  // Logout.
  check_message(f.post("/api/auth/logout", {{"token", tokens[3]}}), 200,
                "Your session got deleted successfully");
  check_app_error(f.post("/api/auth/logout", {{"token", tokens[3]}}), 204,
                  "Your session token is invalid");
}

TEST_CASE("nexterm: me, TOTP setup") {
  Nx f;
  std::string t = f.login();
  json me = body(f.get("/api/accounts/me", t));
  CHECK(me["username"] == "alice");
  CHECK(me["id"].is_number_integer());
  CHECK(me["totpEnabled"] == 0);
  CHECK(me["isAdmin"] == true);
  CHECK(me["firstName"].is_string());
  CHECK(me["lastName"].is_string());

  json s = body(f.get("/api/accounts/totp/secret", t));
  CHECK(s["secret"] == f.broker.nexterm_totp_secret("alice"));
  CHECK(std::string(s["url"]).rfind("otpauth://totp/", 0) == 0);

  std::string zero = f.land_in_step("alice", true);
  auto r = f.post("/api/accounts/totp/enable", {{"code", std::stoi(zero)}}, t);
  CHECK(r->status == 400);
  CHECK(body(r)["code"] == 203);
  CHECK(matches(body(r)["serverTime"], kIsoMs));
  std::string good = f.land_in_step("alice", false);
  r = f.post("/api/accounts/totp/enable", {{"code", std::stoi(good)}}, t);
  CHECK(r->status == 200);
  CHECK(body(f.get("/api/accounts/me", t))["totpEnabled"] == 1);
  check_app_error(f.post("/api/auth/login", {{"username", "alice"}, {"password", "Passw0rd!"}}),
                  202);
  CHECK(f.post("/api/accounts/totp/disable", json::object(), t)->status == 200);
  check_app_error(f.post("/api/accounts/totp/disable", json::object(), t), 103);
  CHECK(body(f.get("/api/accounts/me", t))["totpEnabled"] == 0);
}

TEST_CASE("nexterm: API keys") {
  Nx f;
  std::string t = f.login();
  auto r = f.post("/api/accounts/api-keys", {{"name", "ci"}}, t);
  REQUIRE(r->status == 200);
  json k = body(r);
  std::string key = k["token"];
  CHECK(key.rfind("nxt_", 0) == 0);
  CHECK(is_hex(key.substr(4), 64));
  CHECK(k["id"].is_number_integer());
  CHECK(k["name"] == "ci");
  CHECK(std::string(k["prefix"]).rfind(key.substr(0, 10), 0) == 0);
  CHECK(k["expiresAt"].is_null());
  CHECK(matches(k["createdAt"], kIsoMs));
  check_message(f.post("/api/accounts/api-keys", {{"name", " "}}, t), 400, "A name is required");
  check_message(f.post("/api/accounts/api-keys", {{"name", "x"}, {"expiresAt", "2000-01-01"}}, t),
                400, "Expiration date must be in the future");

  json list = body(f.get("/api/accounts/api-keys", t));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == k["id"]);
  CHECK(!list[0].contains("token"));

  // The key works where `authenticate` does, but cannot manage API keys.
  CHECK(body(f.get("/api/accounts/me", key))["username"] == "alice");
  r = f.get("/api/accounts/api-keys", key);
  CHECK(r->status == 403);
  CHECK(body(r)["message"] == "API keys cannot manage API keys");
  CHECK(f.post("/api/accounts/api-keys", {{"name", "x"}}, key)->status == 403);
  CHECK(f.del("/api/accounts/api-keys/1", key)->status == 403);

  check_message(f.del("/api/accounts/api-keys/999", t), 404, "API key not found");
  check_message(f.del("/api/accounts/api-keys/" + std::to_string(k["id"].get<int>()), t), 200,
                "API key deleted successfully");
  check_message(f.get("/api/accounts/me", key), 401, "The provided API key is not valid");

  // An expiring key stops working on the broker clock.
  r = f.post("/api/accounts/api-keys", {{"name", "short"}, {"expiresAt", "2999-01-01T00:00:00Z"}},
             t);
  CHECK(body(r)["expiresAt"] == "2999-01-01T00:00:00.000Z");
  std::string hook_key = f.broker.nexterm_api_key("alice", "hook");
  CHECK(f.get("/api/accounts/me", hook_key)->status == 200);
}

TEST_CASE("nexterm: latency applies and parallel connections are served concurrently") {
  Nx f;
  std::string t = f.broker.nexterm_session("alice", kUa);
  f.broker.set_latency_ms(300);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<int>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&f, &t] {
      httplib::Client c(f.broker.url());
      auto r = c.Get("/api/accounts/me", {{"Authorization", "Bearer " + t}});
      return r ? r->status : -1;
    }));
  }
  for (auto& r : results) CHECK(r.get() == 200);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  CHECK(ms >= 300);
  CHECK(ms < 1500);  // serial would take 2400 ms
}

TEST_CASE("nexterm: faults apply to Nexterm routes, by path or by route") {
  Nx f;
  std::string t = f.broker.nexterm_session("alice", kUa);
  f.broker.inject_fault("/api/sessions/:id", testbroker::Fault::service_unavailable);
  CHECK(f.del("/api/sessions/1", t)->status == 503);
  CHECK(f.del("/api/sessions/1", t)->status == 200);
  f.broker.inject_fault("/api/service/version", testbroker::Fault::html_error);
  CHECK(f.get("/api/service/version")->status == 500);
}

TEST_CASE("nexterm: /_test/ controls for the executable") {
  Nx f;
  httplib::Client& c = f.cli;
  auto r = c.Post("/_test/nexterm/accounts",
                  R"({"user":"dave","password":"D4vePass!","totp":true})", "application/json");
  REQUIRE(r->status == 200);
  CHECK(json::parse(r->body)["id"].is_number_integer());
  r = c.Get("/_test/nexterm/totp-secret?user=dave");
  CHECK(json::parse(r->body)["secret"] == f.broker.nexterm_totp_secret("dave"));
  r = c.Get("/_test/nexterm/totp-code?user=dave&at=1700000000");
  CHECK(json::parse(r->body)["code"] == f.broker.nexterm_totp_code("dave", 1700000000));
  r = c.Post("/_test/nexterm/sessions", R"({"user":"dave","userAgent":"phone"})",
             "application/json");
  std::string token = json::parse(r->body)["token"];
  r = c.Get("/_test/nexterm/sessions?user=dave");
  CHECK(json::parse(r->body)[0]["token"] == token);
  CHECK(json::parse(r->body)[0]["userAgent"] == "phone");
  r = c.Post("/_test/nexterm/api-keys", R"({"user":"dave","name":"k"})", "application/json");
  CHECK(std::string(json::parse(r->body)["token"]).rfind("nxt_", 0) == 0);

  json d = body(f.post("/api/auth/device/create", {{"clientType", "connector"}}));
  r = c.Get(("/_test/nexterm/device/poll-token?code=" + std::string(d["code"])).c_str());
  CHECK(json::parse(r->body)["token"] == d["token"]);
  r = c.Post("/_test/nexterm/device/approve", json{{"code", d["code"]}, {"user", "dave"}}.dump(),
             "application/json");
  CHECK(is_hex(json::parse(r->body)["token"], 96));
  r = c.Post("/_test/nexterm/device/claim", json{{"token", d["token"]}}.dump(), "application/json");
  CHECK(json::parse(r->body)["claimed"] == true);

  r = c.Post("/_test/nexterm/settings", R"({"productionMode":true})", "application/json");
  CHECK(r->status == 200);
  CHECK(f.get("/nowhere")->status == 200);
  r = c.Post("/_test/reset-rate-limits", "", "application/json");
  CHECK(r->status == 200);
  r = c.Get("/_test/nexterm/totp-secret?user=nobody");
  CHECK(r->status == 400);
}

TEST_CASE("nexterm: over HTTPS with the test CA, Date from the broker clock") {
  e2e::TempDir dir;
  testbroker::Options options;
  options.kind = testbroker::Kind::nexterm;
  options.tls = true;
  options.tls_files = testbroker::make_test_pki(dir.path());
  testbroker::Broker broker(options);
  broker.start();
  broker.advance_clock(400 * 24 * 3600);
  httplib::SSLClient cli("127.0.0.1", broker.port());
  cli.set_ca_cert_path(options.tls_files.ca_cert.c_str());
  cli.enable_server_certificate_verification(true);
  auto r = cli.Get("/api/service/version");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["version"] == "1.2.2-BETA");
  time_t t = static_cast<time_t>(broker.now());
  struct tm tm {};
  gmtime_r(&t, &tm);
  CHECK(r->get_header_value("Date").find(std::to_string(tm.tm_year + 1900)) != std::string::npos);
}
