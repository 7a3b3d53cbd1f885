// The one --json convention (man authctl, JSON OUTPUT), checked on what the real binary
// prints against the broker: snake_case keys, RFC 3339 UTC times, the profile under
// "profile", server data only under "server", the results of refresh, switch, logout and
// status --names, and waits that give up.
#include <regex>
#include <set>

#include "fixture.hpp"
#include "nexterm_fixture.hpp"
#include "waiting_output.hpp"

using namespace e2e;

namespace {

// Every key outside "server" is snake_case, and every time (a key ending in _at, or
// last_activity) is null or RFC 3339 UTC to the second. Fails with the path of the offender.
void check_convention(const nlohmann::json& value, const std::string& path = "") {
  static const std::regex snake("^[a-z][a-z0-9_]*$");
  static const std::regex utc(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i)
      check_convention(value[i], path + "[" + std::to_string(i) + "]");
    return;
  }
  if (!value.is_object()) return;
  for (const auto& item : value.items()) {
    const std::string key = item.key(), at = path + "/" + key;
    CHECK_MESSAGE(std::regex_match(key, snake), at);
    if (key == "server") continue;  // passed on as the server sent it
    const bool time =
        (key.size() > 3 && key.compare(key.size() - 3, 3, "_at") == 0) || key == "last_activity";
    if (time)
      CHECK_MESSAGE(
          (item.value().is_null() ||
           (item.value().is_string() && std::regex_match(item.value().get<std::string>(), utc))),
          at << " = " << item.value().dump());
    check_convention(item.value(), at);
  }
}

// The JSON of a successful run, checked against the convention.
nlohmann::json json_of(const Result& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), r.out);
  check_convention(j);
  return j;
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

using Keys = std::set<std::string>;

}  // namespace

TEST_CASE("json: login, whoami, status, token and refresh of a Neuron profile") {
  NeuronFixture f;
  const auto login = json_of(f.login({"--json", "-p", "one", "--seconds", "600"}));
  CHECK(keys_of(login) ==
        Keys{"profile", "kind", "url", "user", "method", "expires_at", "storage"});
  CHECK(login["profile"] == "one");
  CHECK(login["method"] == "password");

  const auto who = json_of(f.run({"whoami", "--json"}));
  CHECK(keys_of(who) ==
        Keys{"profile", "kind", "url", "user", "method", "expires_at", "storage", "server"});
  CHECK(who["server"]["account"]["userName"] == kUser);  // Account/Info, as sent
  CHECK(who["server"]["claims"]["sub"] == kUser);        // the token's claims

  const auto status = json_of(f.run({"status", "--json"}));
  CHECK(status["current"] == "one");
  REQUIRE(status["profiles"].size() == 1);
  CHECK(keys_of(status["profiles"][0]) == Keys{"profile", "kind", "url", "user", "method",
                                               "expires_at", "storage", "current", "valid"});
  CHECK(status["profiles"][0]["profile"] == "one");  // was "name"

  const auto token = json_of(f.run({"token", "--json"}));
  CHECK(keys_of(token) == Keys{"profile", "token", "expires_at"});

  f.broker.advance_clock(5);  // a later expiry for the new token
  const auto refreshed = json_of(f.run({"refresh", "--json"}));
  CHECK(keys_of(refreshed) == Keys{"profile", "expires_at"});
  CHECK(refreshed["profile"] == "one");
  CHECK(refreshed["expires_at"] > login["expires_at"]);  // same format: ordered as text
}

TEST_CASE("json: switch, status --names, logout leaving one (now current) and --all") {
  NeuronFixture f;
  REQUIRE(f.login({"-p", "one"}).exit_code == 0);
  REQUIRE(f.login({"-p", "two"}).exit_code == 0);
  REQUIRE(f.login({"-p", "three"}).exit_code == 0);
  CHECK(json_of(f.run({"switch", "on", "--json"})) == nlohmann::json{{"current", "one"}});
  CHECK(json_of(f.run({"status", "--names", "--json"})) ==
        nlohmann::json{{"profiles", {"one", "three", "two"}}});
  CHECK(f.run({"status", "--names"}).out == "one\nthree\ntwo\n");  // unchanged without --json

  CHECK(json_of(f.run({"logout", "--json"})) ==
        nlohmann::json{
            {"logged_out", {"one"}}, {"current", nullptr}, {"failed", nlohmann::json::array()}});
  CHECK(json_of(f.run({"logout", "-p", "two", "--json"})) ==
        nlohmann::json{
            {"logged_out", {"two"}}, {"current", "three"}, {"failed", nlohmann::json::array()}});

  // --all with a server that cannot be reached: the rest is logged out, the failure listed.
  REQUIRE(f.login({"-p", "four"}).exit_code == 0);
  auto store = f.store();
  store["profiles"]["dead"] = store["profiles"]["four"];
  store["profiles"]["dead"]["url"] = "http://127.0.0.1:1";
  write_file(f.store_path(), store.dump(), 0600);
  auto all = f.run({"logout", "--all", "--json"});
  CHECK(all.exit_code == 3);
  const auto j = nlohmann::json::parse(all.out);
  check_convention(j);
  CHECK(j["logged_out"] == nlohmann::json{"four", "three"});
  REQUIRE(j["failed"].size() == 1);
  CHECK(j["failed"][0]["profile"] == "dead");
  CHECK(j["failed"][0]["error"].is_string());
  CHECK(f.store()["profiles"].size() == 1);  // dead is kept: retry, or logout --local
}

TEST_CASE("json: verify-jwt passes the server's answer on under server, as objects") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const auto j = json_of(f.run({"verify-jwt", "--json"}));
  CHECK(keys_of(j) == Keys{"profile", "valid", "expires_at", "server"});
  CHECK(j["server"]["header"].is_object());  // the broker sends it as JSON text
  CHECK(j["server"]["payload"].is_object());
  CHECK(j["server"]["claims"]["sub"] == kUser);
  CHECK(j["server"]["algorithm"] == "HS256");
}

TEST_CASE("json: account verify-email and resend-codes") {
  NeuronFixture f;
  f.broker.add_api_key("MyApiKey", "MyApiSecret");
  write_file(f.tmp.file("secret"), "MyApiSecret\n");
  const auto created =
      json_of(f.run({"account", "create", "--host", f.broker.url(), "-u", "carol", "--email",
                     "carol@example.com", "--api-key", "MyApiKey", "--api-secret-file",
                     f.tmp.file("secret"), "--password-stdin", "--json"},
                    {}, "Carol-passw0rd\n"));
  CHECK(created["enabled"] == false);
  const std::string name = created["profile"];
  const auto resent = json_of(f.run({"account", "resend-codes", "--json"}));
  CHECK(resent ==
        nlohmann::json{{"profile", name}, {"email", "carol@example.com"}, {"phone", nullptr}});
  const int code = f.broker.email_code("carol@example.com");
  CHECK(json_of(f.run({"account", "verify-email", std::to_string(code), "--json"})) ==
        nlohmann::json{{"profile", name},
                       {"verified", "email"},
                       {"enabled", true},
                       {"unverified", nlohmann::json::array()}});
}

TEST_CASE("json: apikey create, list and revoke; the prefix without the server's ellipsis") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = std::string(kAdmin) + "@" + f.host();
  const auto created = json_of(f.run({"apikey", "create", "deploy", "--json"}));
  CHECK(created["profile"] == name);
  const std::string token = created["token"], prefix = created["prefix"];
  CHECK(!prefix.empty());
  CHECK(token.rfind(prefix, 0) == 0);  // the key's first characters, nothing added
  const auto list = json_of(f.run({"apikey", "list", "--json"}));
  CHECK(list["profile"] == name);
  REQUIRE(list["apikeys"].size() == 1);
  CHECK(list["apikeys"][0]["prefix"] == prefix);
  CHECK(contains(f.run({"apikey", "list"}).out, prefix + "\u2026"));  // shown with one
  const int64_t id = created["id"];
  CHECK(json_of(f.run({"apikey", "revoke", std::to_string(id), "--json"})) ==
        nlohmann::json{{"profile", name}, {"revoked", id}});
}

TEST_CASE("json: sessions list, device-link approve and status name the profile") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string name = std::string(kAdmin) + "@" + f.host();
  const auto sessions = json_of(f.run({"sessions", "list", "--json"}));
  CHECK(sessions["profile"] == name);
  CHECK(sessions["sessions"].size() == 1);

  Process waiting(f.invocation(
      {"device-link", "--host", f.broker.url(), "-p", "box", "--json", "--interval", "1s"}));
  const auto code = json_line(waiting);
  CHECK(keys_of(code) == Keys{"event", "code", "link", "expires_at"});
  check_convention(code);
  const std::string c = code["code"];
  CHECK(json_of(f.run({"device-link", "approve", c, "--yes", "--json", "-p", name})) ==
        nlohmann::json{{"profile", name}, {"code", c}, {"approved", true}});
  const auto done = json_line(waiting);
  CHECK(waiting.wait().exit_code == 0);
  check_convention(done);
  CHECK(done["event"] == "logged_in");
  CHECK(done["profile"] == "box");
  CHECK(done["method"] == "device");
  const auto status = json_of(f.run({"device-link", "status", c, "--json", "-p", name}));
  CHECK(keys_of(status) == Keys{"profile", "code", "status"});
}

TEST_CASE("json: device-link phone gives up (exit 6) or is claimed; sessions kill") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run(
      {"device-link", "phone", "--json", "--wait", "2s", "--interval", "1s", "--show-qr", "never"});
  CHECK(r.exit_code == 6);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["event"] == "code");
  CHECK(lines[1] == nlohmann::json{{"event", "gave_up"}});

  Process claimed(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  const auto code = json_line(claimed);
  check_convention(code);
  CHECK(keys_of(code) == Keys{"event", "code", "expires_at"});  // never the link
  REQUIRE(f.broker.device_claim(f.broker.device_poll_token_for(code["code"])));
  const auto done = json_line(claimed);
  CHECK(claimed.wait().exit_code == 0);
  CHECK(done == nlohmann::json{{"event", "claimed"},
                               {"profile", std::string(kAdmin) + "@" + f.host()},
                               {"code", code["code"]}});

  // sessions kill names the profile too, with --dry-run and without
  f.broker.nexterm_session(kAdmin, "old");
  const auto listed = json_of(f.run({"sessions", "list", "--json"}));
  int64_t old = -1;
  for (const auto& s : listed["sessions"])
    if (s["user_agent"] == "old") old = s["id"];
  REQUIRE(old > 0);
  const auto dry = json_of(f.run({"sessions", "kill", std::to_string(old), "--dry-run", "--json"}));
  CHECK(dry == nlohmann::json{{"profile", listed["profile"]}, {"would_kill", {old}}});
  const auto kill = json_of(f.run({"sessions", "kill", std::to_string(old), "--yes", "--json"}));
  CHECK(kill == nlohmann::json{{"profile", listed["profile"]},
                               {"killed", {old}},
                               {"failed", nlohmann::json::array()},
                               {"logged_out", nlohmann::json::array()}});
}
