// Self-test of the test broker: talks to it over real sockets with httplib::Client and checks
// the protocol facts of shared/specs/neuron-agent-api.md (the spec's test vectors included),
// the test controls, the faults and TLS. Signatures are computed here with OpenSSL directly.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/stat.h>

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "broker.hpp"
#include "harness.hpp"

using nlohmann::json;

namespace {

// The in-process clients below may write to a connection the broker dropped; this test
// spawns no children, so ignoring SIGPIPE here changes nothing else.
const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

const std::string kSpecNonce = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

std::string b64(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

std::string sign(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return b64(md, len);
}

std::string fresh_nonce() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return b64(bytes, sizeof bytes);
}

std::string b64url_decode(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // padding bytes
  return out;
}

json jwt_claims(const std::string& jwt) {
  size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  return json::parse(b64url_decode(jwt.substr(a + 1, b - a - 1)));
}

// A running plain-HTTP broker with alice (enabled) seeded, and a client for it.
struct Fixture {
  testbroker::Broker broker;
  httplib::Client cli;
  Fixture() : broker(), cli(start_and_url(broker)) {
    broker.add_neuron_account("alice", "Passw0rd!", "alice@example.com");
    cli.set_connection_timeout(5);
    cli.set_read_timeout(5);
  }
  static std::string start_and_url(testbroker::Broker& b) {
    b.start();
    return b.url();
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(broker.port()); }

  httplib::Result post(const std::string& path, const json& body, const std::string& token = "",
                       httplib::Headers headers = {}) {
    headers.emplace("Accept", "application/json");
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return cli.Post(path.c_str(), headers, body.dump(), "application/json");
  }

  httplib::Result login(const std::string& user, const std::string& password,
                        const std::string& nonce = fresh_nonce(), int seconds = 3600,
                        const std::string& host_header = "") {
    std::string host = host_header.empty() ? this->host() : host_header;
    httplib::Headers headers;
    if (!host_header.empty()) headers.emplace("Host", host_header);
    return post("/Agent/Account/Login",
                {{"userName", user},
                 {"nonce", nonce},
                 {"signature", sign(password, user + ":" + host + ":" + nonce)},
                 {"seconds", seconds}},
                "", headers);
  }

  std::string token(const std::string& user = "alice", const std::string& password = "Passw0rd!") {
    auto r = login(user, password);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["jwt"];
  }
};

bool is_text_plain(const httplib::Result& r) {
  return r->get_header_value("Content-Type").rfind("text/plain", 0) == 0;
}

}  // namespace

TEST_CASE("the HMAC helper of this test matches RFC 4231 TC2") {
  CHECK(sign("Jefe", "what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("spec test vectors are accepted against the received Host header") {
  struct Vector {
    std::string user, password, host, signature;
  };
  for (const Vector& v : {Vector{"alice", "Passw0rd!", "neuron.example.com",
                                 "m4CWHZLWzIsjid0z61QrT1KYtuBltPN+/ZXyEjetsRY="},
                          Vector{"alice", "Passw0rd!", "localhost:8080",
                                 "j3aOh6er7CN6YbvdlRabStqyZOpZU8dAP/61pQDwaZY="},
                          Vector{"björn", "pässwörd", "neuron.example.com",
                                 "T0c9/cLvMxZzizaYT8Mp5ls4IPpsLMiXsuTGVbJtyYM="},
                          // The port-stripped reading of the Host header is accepted too.
                          Vector{"alice", "Passw0rd!", "neuron.example.com:8443",
                                 "m4CWHZLWzIsjid0z61QrT1KYtuBltPN+/ZXyEjetsRY="}}) {
    CAPTURE(v.host);
    Fixture f;  // a fresh broker per vector: they all share the spec's nonce
    f.broker.add_neuron_account(v.user, v.password, "x@example.com");
    auto r = f.post(
        "/Agent/Account/Login",
        {{"userName", v.user}, {"nonce", kSpecNonce}, {"signature", v.signature}, {"seconds", 60}},
        "", {{"Host", v.host}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(f.broker.hosts_seen().back() == v.host);
  }

  // The Create vectors are for userName "alice": a broker without alice seeded.
  for (bool phone : {false, true}) {
    testbroker::Broker b;
    b.start();
    b.add_api_key("MyApiKey", "MyApiSecret");
    httplib::Client cli(b.url());
    json body = {{"userName", "alice"},  {"eMail", "alice@example.com"}, {"password", "Passw0rd!"},
                 {"apiKey", "MyApiKey"}, {"nonce", kSpecNonce},          {"seconds", 60}};
    body["signature"] = phone ? "CMMCdAGhMwtaUHF5ZKumjlScdaAwvPtcErSaG3ioW1M="
                              : "EeI98VSOiiKLF7jZ6W3ojbrEc13QuYHwotPse1JZtY0=";
    if (phone) body["phoneNr"] = "+46700000000";
    auto r = cli.Post("/Agent/Account/Create",
                      {{"Host", "neuron.example.com"}, {"Accept", "application/json"}}, body.dump(),
                      "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    json j = json::parse(r->body);
    CHECK(j["enabled"] == false);
    CHECK(j["canRelay"] == false);
    CHECK(j["eMailCodeSent"] == true);
    CHECK(j["created"].is_number_integer());
    CHECK(j.value("phoneNrCodeSent", false) == phone);
    CHECK(b.email_code("alice@example.com") >= 100000);
    CHECK(b.email_code("alice@example.com") <= 999999);
  }
}

TEST_CASE("login, token claims, info, refresh and logout") {
  Fixture f;
  auto r = f.login("alice", "Passw0rd!", fresh_nonce(), 600);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  json j = json::parse(r->body);
  REQUIRE(j["expires"].is_number_integer());
  CHECK(j["expires"].get<int64_t>() - f.broker.now() >= 598);
  CHECK(j["expires"].get<int64_t>() - f.broker.now() <= 600);
  CHECK(f.broker.hosts_seen().back() == f.host());

  std::string jwt = j["jwt"];
  json header = json::parse(b64url_decode(jwt.substr(0, jwt.find('.'))));
  CHECK(header == json{{"alg", "HS256"}, {"typ", "JWT"}});
  json claims = jwt_claims(jwt);
  CHECK(claims["iss"] == "https://localhost");
  CHECK(claims["sub"] == "alice");
  CHECK(claims["exp"] == j["expires"]);
  CHECK(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>() == 600);
  CHECK(claims["jti"].is_string());

  auto info = f.post("/Agent/Account/Info", json::object(), jwt);
  REQUIRE(info);
  CHECK(info->status == 200);
  json i = json::parse(info->body);
  CHECK(i["userName"] == "alice");
  CHECK(i["eMail"] == "alice@example.com");
  CHECK(i["created"].is_number_integer());
  CHECK(i["updated"].is_number_integer());
  CHECK(i["eMailVerified"].is_number_integer());

  auto refreshed = f.post("/Agent/Account/Refresh", {{"seconds", 120}}, jwt);
  REQUIRE(refreshed);
  REQUIRE(refreshed->status == 200);
  json rj = json::parse(refreshed->body);
  std::string jwt2 = rj["jwt"];
  CHECK(jwt2 != jwt);
  CHECK(rj["expires"].get<int64_t>() - f.broker.now() <= 120);
  CHECK(f.post("/Agent/Account/Refresh", {{"seconds", 3601}}, jwt2)->status == 400);
  CHECK(f.post("/Agent/Account/Refresh", {{"seconds", "60"}}, jwt2)->status == 400);

  auto verified = f.post("/Agent/Account/AuthenticateJwt", {{"token", jwt2}});
  REQUIRE(verified);
  CHECK(verified->status == 200);
  json v = json::parse(verified->body);
  CHECK(v["claims"]["sub"] == "alice");
  CHECK(v["subject"] == "alice");
  CHECK(v["algorithm"] == "HS256");
  CHECK(v["expiration"] == rj["expires"]);
  CHECK(f.post("/Agent/Account/AuthenticateJwt", json::object(), jwt2)->status == 200);
  CHECK(f.post("/Agent/Account/AuthenticateJwt", {{"token", jwt2 + "x"}})->status == 403);

  auto out = f.post("/Agent/Account/Logout", json::object(), jwt2);
  REQUIRE(out);
  CHECK(out->status == 200);
  CHECK(out->body == "{}");
  CHECK(f.post("/Agent/Account/Info", json::object(), jwt2)->status == 401);
  CHECK(f.post("/Agent/Account/Refresh", {{"seconds", 60}}, jwt2)->status == 401);
  CHECK(f.post("/Agent/Account/AuthenticateJwt", {{"token", jwt2}})->status == 403);
  CHECK(f.post("/Agent/Account/Info", json::object(), jwt)->status == 200);  // only jwt2 revoked
}

TEST_CASE("a reused nonce is refused") {
  Fixture f;
  std::string nonce = fresh_nonce();
  CHECK(f.login("alice", "Passw0rd!", nonce)->status == 200);
  auto r = f.login("alice", "Passw0rd!", nonce);
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(is_text_plain(r));
  CHECK(r->body == "Nonce already used.");
}

TEST_CASE("requests that do not match the schema are 400 text/plain") {
  Fixture f;
  std::string n = fresh_nonce();
  std::string sig = sign("Passw0rd!", "alice:" + f.host() + ":" + n);
  json good = {{"userName", "alice"}, {"nonce", n}, {"signature", sig}, {"seconds", 60}};
  auto with = [&](const std::string& key, const json& value) {
    json b = good;
    b[key] = value;
    return b;
  };
  json missing = good;
  missing.erase("signature");
  for (const json& body :
       {with("seconds", 0), with("seconds", 3601), with("seconds", "60"), with("seconds", 60.5),
        with("userName", 7), with("extra", 1), missing, with("nonce", std::string(31, 'n'))}) {
    CAPTURE(body.dump());
    auto r = f.post("/Agent/Account/Login", body);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(is_text_plain(r));
  }
  auto no_type = f.cli.Post("/Agent/Account/Login", {{"Accept", "application/json"}}, good.dump(),
                            "text/plain");
  CHECK(no_type->status == 400);
  auto bad_json = f.cli.Post("/Agent/Account/Login", {{"Accept", "application/json"}},
                             "{\"userName\":", "application/json");
  CHECK(bad_json->status == 400);
  // None of these used up the nonce or counted as a failed signature.
  CHECK(f.post("/Agent/Account/Login", good)->status == 200);
}

TEST_CASE("failed signatures block the client IP with 429 until reset_failures") {
  Fixture f;
  auto bad = [&] { return f.login("alice", "wrong"); };
  for (int i = 0; i < 2; ++i) CHECK(bad()->status == 403);
  // An unknown user answers exactly like a bad signature, and counts too.
  auto third = bad();
  auto unknown = f.login("mallory", "x");
  CHECK(unknown->status == 403);
  CHECK(unknown->body == third->body);
  CHECK(is_text_plain(unknown));
  auto fifth = bad();
  REQUIRE(fifth);
  CHECK(fifth->status == 429);
  CHECK(is_text_plain(fifth));
  CHECK(std::regex_match(fifth->body,
                         std::regex("Too many failed login attempts in a row registered\\. Try "
                                    "again in 1 minute\\(s\\)\\. Remote Endpoint: "
                                    "127\\.0\\.0\\.1:[0-9]+")));
  CHECK(f.login("alice", "Passw0rd!")->status == 429);  // blocked: not even checked

  f.broker.reset_failures();
  CHECK(f.login("alice", "Passw0rd!")->status == 200);

  // A success resets the count; the block ends after a minute of broker clock.
  for (int i = 0; i < 4; ++i) CHECK(bad()->status == 403);
  CHECK(f.login("alice", "Passw0rd!")->status == 200);
  for (int i = 0; i < 4; ++i) CHECK(bad()->status == 403);
  CHECK(bad()->status == 429);
  f.broker.advance_clock(61);
  CHECK(f.login("alice", "Passw0rd!")->status == 200);
}

TEST_CASE("expired, missing and foreign tokens are 401 with WWW-Authenticate") {
  Fixture f;
  std::string jwt = f.broker.issue_token("alice", 60);
  CHECK(f.post("/Agent/Account/Refresh", {{"seconds", 60}}, jwt)->status == 200);
  f.broker.advance_clock(61);
  testbroker::Broker other;
  other.start();
  for (const std::string& token :
       {jwt, std::string(), std::string("abc.def.ghi"), other.issue_token("alice", 60)}) {
    auto r = f.post("/Agent/Account/Refresh", {{"seconds", 60}}, token);
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->get_header_value("WWW-Authenticate") == "Bearer realm=\"localhost\"");
    CHECK(is_text_plain(r));
    CHECK(r->body == "Unauthorized access prohibited.");
  }
  // Without Accept: application/json an error may come back as an HTML page.
  auto html = f.cli.Post("/Agent/Account/Info", {{"Authorization", "Bearer " + jwt}}, "{}",
                         "application/json");
  CHECK(html->status == 401);
  CHECK(html->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(html->get_header_value("WWW-Authenticate") == "Bearer realm=\"localhost\"");
}

TEST_CASE("the Date header follows the broker clock") {
  Fixture f;
  std::regex imf(
      "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
      "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
      "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT");
  auto r = f.cli.Get("/Agent/Account/DomainInfo");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body) == json{{"domain", "localhost"},
                                     {"useEncryption", false},
                                     {"humanReadableName", "Test Broker"}});
  CHECK(std::regex_match(r->get_header_value("Date"), imf));
  CHECK(std::regex_match(f.cli.Get("/nowhere")->get_header_value("Date"), imf));
  f.broker.advance_clock(int64_t{40} * 366 * 86400);  // 40 years on
  std::string later = f.cli.Get("/Agent/Account/DomainInfo")->get_header_value("Date");
  CHECK(std::regex_match(later, imf));
  std::tm tm{};
  time_t t = static_cast<time_t>(f.broker.now());
  gmtime_r(&t, &tm);
  CHECK(later.find(std::to_string(tm.tm_year + 1900)) != std::string::npos);
}

TEST_CASE("account creation, e-mail verification, taken names, disabled accounts") {
  Fixture f;
  f.broker.add_api_key("key1", "secret1");
  auto create = [&](const std::string& user, const std::string& secret) {
    std::string n = fresh_nonce();
    return f.post("/Agent/Account/Create",
                  {{"userName", user},
                   {"eMail", user + "@example.com"},
                   {"password", "pw-" + user},
                   {"apiKey", "key1"},
                   {"nonce", n},
                   {"signature", sign(secret, user + ":" + f.host() + ":" + user +
                                                  "@example.com:pw-" + user + ":key1:" + n)},
                   {"seconds", 300}});
  };
  CHECK(create("carol", "wrong-secret")->status == 403);
  auto r = create("carol", "secret1");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  json j = json::parse(r->body);
  std::string jwt = j["jwt"];
  json info = json::parse(f.post("/Agent/Account/Info", json::object(), jwt)->body);
  CHECK(info["userName"] == "carol");
  CHECK_FALSE(info.contains("eMailVerified"));
  CHECK(f.login("carol", "pw-carol")->body == "Account not enabled.");

  int code = f.broker.email_code("carol@example.com");
  CHECK(f.post("/Agent/Account/VerifyEMail",
               {{"eMail", "carol@example.com"}, {"code", code == 999999 ? 100000 : code + 1}}, jwt)
            ->status == 403);
  CHECK(f.post("/Agent/Account/VerifyEMail",
               {{"eMail", "carol@example.com"}, {"code", std::to_string(code)}}, jwt)
            ->status == 400);
  auto v =
      f.post("/Agent/Account/VerifyEMail", {{"eMail", "carol@example.com"}, {"code", code}}, jwt);
  REQUIRE(v);
  CHECK(v->status == 200);
  CHECK(json::parse(v->body) == json{{"eMail", "carol@example.com"}, {"userName", "carol"}});
  CHECK(f.login("carol", "pw-carol")->status == 200);

  f.broker.add_neuron_account("carol1", "x", "c1@example.com");
  auto taken = create("carol", "secret1");
  REQUIRE(taken);
  CHECK(taken->status == 409);
  CHECK(is_text_plain(taken));
  CHECK(taken->get_header_value("X-AlternativeName1") == "carol2");
  CHECK(taken->get_header_value("X-AlternativeName2") == "carol3");

  f.broker.add_neuron_account("dave", "pw", "dave@example.com", false);
  CHECK(f.login("dave", "pw")->status == 403);
  CHECK(f.post("/Agent/Account/VerifyEMail",
               {{"eMail", "dave@example.com"}, {"code", f.broker.email_code("dave@example.com")}})
            ->status == 200);
  CHECK(f.login("dave", "pw")->status == 200);
}

TEST_CASE("counters count every request, faulted and rejected ones too") {
  Fixture f;
  f.cli.Get("/Agent/Account/DomainInfo");
  f.login("alice", "wrong");
  f.broker.inject_fault("/Agent/Account/DomainInfo", testbroker::Fault::service_unavailable);
  CHECK(f.cli.Get("/Agent/Account/DomainInfo")->status == 503);
  CHECK(f.cli.Get("/Agent/Account/DomainInfo")->status == 200);
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 3);
  CHECK(f.broker.count("/Agent/Account/Login") == 1);
  json counters = json::parse(f.cli.Get("/_test/counters")->body);
  CHECK(counters["/Agent/Account/DomainInfo"] == 3);
  f.broker.reset_counters();
  CHECK(f.broker.count("/Agent/Account/DomainInfo") == 0);
  CHECK(f.broker.count("/_test/counters") == 0);
}

TEST_CASE("each injected fault is observable") {
  using testbroker::Fault;
  Fixture f;
  const std::string path = "/Agent/Account/DomainInfo";

  f.broker.inject_fault(path, Fault::drop_connection);
  auto dropped = f.cli.Get(path);
  CHECK_FALSE(dropped);
  CHECK(dropped.error() == httplib::Error::Read);

  f.broker.inject_fault(path, Fault::html_error);
  auto html = f.cli.Get(path);
  CHECK(html->status == 500);
  CHECK(html->get_header_value("Content-Type").rfind("text/html", 0) == 0);

  f.broker.inject_fault(path, Fault::malformed_json);
  auto malformed = f.cli.Get(path);
  CHECK(malformed->status == 200);
  CHECK(malformed->get_header_value("Content-Type") == "application/json");
  CHECK(json::parse(malformed->body, nullptr, false).is_discarded());

  f.broker.inject_fault("*", Fault::rate_limit);
  auto limited = f.post("/Agent/Account/Refresh", {{"seconds", 60}});
  CHECK(limited->status == 429);
  CHECK(limited->body.rfind("Too many failed login attempts", 0) == 0);

  f.broker.inject_fault(path, Fault::blocked, 2);
  for (int i = 0; i < 2; ++i) {
    auto blocked = f.cli.Get(path);
    CHECK(blocked->status == 403);
    CHECK(std::regex_match(blocked->body,
                           std::regex("This endpoint \\(127\\.0\\.0\\.1:[0-9]+\\) has been blocked "
                                      "from the system\\.")));
  }
  CHECK(f.cli.Get(path)->status == 200);

  f.broker.inject_fault(path, Fault::service_unavailable);
  CHECK(f.cli.Get(path)->status == 503);

  f.broker.inject_fault(path, Fault::huge_body);
  auto huge = f.cli.Get(path);
  REQUIRE(huge);
  CHECK(huge->status == 200);
  CHECK(huge->body.size() == 5u * 1024 * 1024);
  CHECK(huge->get_header_value("Transfer-Encoding") == "chunked");

  // slow_body: the answer starts at once, its first body byte only after about a second.
  f.broker.inject_fault(path, Fault::slow_body);
  auto start = std::chrono::steady_clock::now();
  double first_byte = -1;
  auto slow = f.cli.Get(path, [&](const char*, size_t) {
    first_byte = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return false;  // enough: cancel
  });
  CHECK(slow.error() == httplib::Error::Canceled);
  CHECK(first_byte >= 0.8);
  CHECK(first_byte < 3.0);

  // The test controls are never faulted by "*".
  f.broker.inject_fault("*", Fault::drop_connection);
  CHECK(f.cli.Get("/_test/counters")->status == 200);
  f.broker.inject_fault("*", Fault::none);  // clears
  CHECK(f.cli.Get(path)->status == 200);
}

TEST_CASE("latency is added before the answer") {
  Fixture f;
  f.broker.set_latency_ms(300);
  auto start = std::chrono::steady_clock::now();
  CHECK(f.cli.Get("/Agent/Account/DomainInfo")->status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
  f.broker.set_latency_ms(0);
}

TEST_CASE("the /_test/ control endpoints") {
  Fixture f;
  auto ctl = [&](const std::string& path, const json& body) {
    auto r = f.cli.Post(path, body.dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    return json::parse(r->body);
  };
  ctl("/_test/accounts",
      {{"user", "erin"}, {"password", "pw"}, {"email", "e@example.com"}, {"enabled", false}});
  CHECK(f.login("erin", "pw")->status == 403);
  auto code = json::parse(f.cli.Get("/_test/email-code?email=e%40example.com")->body)["code"];
  CHECK(code == f.broker.email_code("e@example.com"));
  ctl("/_test/apikeys", {{"key", "k"}, {"secret", "s"}});

  std::string jwt = ctl("/_test/token", {{"user", "alice"}, {"seconds", 30}})["jwt"];
  CHECK(f.post("/Agent/Account/Info", json::object(), jwt)->status == 200);
  int64_t before = f.broker.now();
  json clock = ctl("/_test/clock", {{"advance", 31}});
  CHECK(clock["now"].get<int64_t>() >= before + 31);
  CHECK(f.post("/Agent/Account/Info", json::object(), jwt)->status == 401);

  ctl("/_test/fault", {{"path", "/Agent/Account/DomainInfo"}, {"fault", "html_error"}});
  CHECK(f.cli.Get("/Agent/Account/DomainInfo")->status == 500);
  ctl("/_test/answer", {{"path", "/Agent/Account/DomainInfo"},
                        {"status", 418},
                        {"body", {{"canned", true}}},
                        {"times", 2}});
  for (int i = 0; i < 2; ++i) {
    auto canned = f.cli.Get("/Agent/Account/DomainInfo");
    CHECK(canned->status == 418);
    CHECK(json::parse(canned->body)["canned"] == true);
  }
  CHECK(f.cli.Get("/Agent/Account/DomainInfo")->status == 200);  // used up
  CHECK(f.cli
            .Post("/_test/fault", json{{"path", "*"}, {"fault", "nonsense"}}.dump(),
                  "application/json")
            ->status == 400);

  for (int i = 0; i < 5; ++i) f.login("alice", "wrong");
  CHECK(f.login("alice", "Passw0rd!")->status == 429);
  ctl("/_test/reset-failures", json::object());
  CHECK(f.login("alice", "Passw0rd!")->status == 200);

  ctl("/_test/latency", {{"ms", 0}});
  json counters = json::parse(f.cli.Get("/_test/counters")->body);
  CHECK(counters["/_test/accounts"] == 1);
  CHECK(counters["/Agent/Account/Info"] == 2);
  CHECK_FALSE(counters.contains("/Agent/Account/Create"));
  ctl("/_test/reset-counters", json::object());
  CHECK(f.broker.count("/Agent/Account/Info") == 0);
}

TEST_CASE("HTTPS with the test CA verifies; an untrusted certificate does not") {
  e2e::TempDir dir;
  testbroker::TlsFiles pki = testbroker::make_test_pki(dir.path());
  struct stat st {};
  REQUIRE(stat(pki.server_key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  testbroker::Options options;
  options.tls = true;
  options.tls_files = pki;
  testbroker::Broker broker(options);
  broker.start();
  CHECK(broker.url().rfind("https://127.0.0.1:", 0) == 0);
  for (const std::string& host : {std::string("127.0.0.1"), std::string("localhost")}) {
    httplib::SSLClient cli(host, broker.port());
    cli.set_ca_cert_path(pki.ca_cert.c_str());
    cli.enable_server_certificate_verification(true);
    auto r = cli.Get("/Agent/Account/DomainInfo");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  {
    httplib::SSLClient cli("127.0.0.1", broker.port());  // system CAs only
    cli.enable_server_certificate_verification(true);
    auto r = cli.Get("/Agent/Account/DomainInfo");
    CHECK_FALSE(r);
    CHECK(r.error() == httplib::Error::SSLServerVerification);
  }

  testbroker::Options untrusted;
  untrusted.tls = true;
  untrusted.tls_files = testbroker::make_untrusted_pki(dir.path());
  testbroker::Broker bad(untrusted);
  bad.start();
  httplib::SSLClient cli("127.0.0.1", bad.port());
  cli.set_ca_cert_path(pki.ca_cert.c_str());
  cli.enable_server_certificate_verification(true);
  auto r = cli.Get("/Agent/Account/DomainInfo");
  CHECK_FALSE(r);
  CHECK(r.error() == httplib::Error::SSLServerVerification);
}

TEST_CASE("the broker refuses to bind beyond loopback") {
  testbroker::Options options;
  options.bind = "0.0.0.0";
  testbroker::Broker broker(options);
  CHECK_THROWS(broker.start());
}
