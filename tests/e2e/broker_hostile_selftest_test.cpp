// Self-test of the broker's hostile mode (hostile.hpp): the route does its honest work, then
// its answer is edited as a malicious server would send it. Talks to the broker over real
// sockets with httplib::Client.
#include <doctest/doctest.h>
#include <signal.h>

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "broker.hpp"

using nlohmann::json;

namespace {

const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

struct Hostile {
  testbroker::Broker broker{options()};
  httplib::Client cli{start(broker)};

  static testbroker::Options options() {
    testbroker::Options o;
    o.kind = testbroker::Kind::nexterm;
    return o;
  }
  static std::string start(testbroker::Broker& b) {
    b.start();
    b.add_nexterm_account("alice", "Passw0rd!");
    return b.url();
  }
  httplib::Headers auth(const std::string& token) {
    return {{"Accept", "application/json"}, {"Authorization", "Bearer " + token}};
  }
  std::string login() {
    auto r =
        cli.Post("/api/auth/login", {{"Accept", "application/json"}},
                 json{{"username", "alice"}, {"password", "Passw0rd!"}}.dump(), "application/json");
    REQUIRE(r);
    return json::parse(r->body)["token"];
  }
};

}  // namespace

TEST_CASE("hostile: a field is replaced by raw JSON text, once") {
  Hostile h;
  const std::string token = h.login();
  testbroker::HostileAnswer edit;
  edit.set = {{"/username", R"("$(id>~/owned)\u001b]0;pwned\u0007")"}, {"/id", "1e90"}};
  h.broker.inject_hostile("/api/accounts/me", edit);
  auto r = h.cli.Get("/api/accounts/me", h.auth(token));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  CHECK(r->body.find("\"id\":1e90") != std::string::npos);  // verbatim, not re-encoded
  const json doc = json::parse(r->body);
  CHECK(doc["username"] == "$(id>~/owned)\x1b]0;pwned\x07");
  CHECK(doc.contains("firstName"));  // the rest of the honest answer is kept
  auto again = h.cli.Get("/api/accounts/me", h.auth(token));
  REQUIRE(again);
  CHECK(json::parse(again->body)["username"] == "alice");  // times: 1
}

TEST_CASE("hostile: deep JSON, headers, status and a raw body") {
  Hostile h;
  const std::string token = h.login();
  testbroker::HostileAnswer deep;
  deep.set = {{"/0/userAgent", std::string(100000, '[') + std::string(100000, ']')}};
  h.broker.inject_hostile("/api/sessions/list", deep);
  auto r = h.cli.Get("/api/sessions/list", h.auth(token));
  REQUIRE(r);
  CHECK(r->body.size() > 200000);
  CHECK(r->body.find(std::string(1000, '[')) != std::string::npos);

  testbroker::HostileAnswer limited;
  limited.status = 429;
  limited.headers = {{"Retry-After", "99999999999999999999"}};
  limited.body = R"({"code":429,"message":"slow down"})";
  limited.times = 2;
  h.broker.inject_hostile("/api/auth/login", limited);
  for (int i = 0; i < 2; ++i) {
    auto l = h.cli.Post("/api/auth/login", json{{"username", "alice"}, {"password", "x"}}.dump(),
                        "application/json");
    REQUIRE(l);
    CHECK(l->status == 429);
    CHECK(l->get_header_value("Retry-After") == "99999999999999999999");
    CHECK(json::parse(l->body)["message"] == "slow down");
  }
  CHECK_NOTHROW(h.login());  // used up

  testbroker::HostileAnswer text;
  text.body = "not json \x1b[2J";
  text.content_type = "text/plain";
  h.broker.inject_hostile("/api/service/version", text);
  auto v = h.cli.Get("/api/service/version");
  REQUIRE(v);
  CHECK(v->body == "not json \x1b[2J");
  CHECK(v->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
}

TEST_CASE("hostile: the control route takes the same edit as JSON") {
  Hostile h;
  const std::string token = h.login();
  auto c = h.cli.Post(
      "/_test/hostile",
      json{{"path", "/api/accounts/me"}, {"set", {{"/username", "\"evil\\r\\nX-Injected: 1\""}}}}
          .dump(),
      "application/json");
  REQUIRE(c);
  CHECK_MESSAGE(c->status == 200, c->body);
  auto r = h.cli.Get("/api/accounts/me", h.auth(token));
  REQUIRE(r);
  CHECK(json::parse(r->body)["username"] == "evil\r\nX-Injected: 1");
  auto bad = h.cli.Post("/_test/hostile", json{{"path", "/x"}, {"set", {{"/a", 1}}}}.dump(),
                        "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
}
