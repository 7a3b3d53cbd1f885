// Issue 12 (points 5, 7 and 8): logout leaves the only profile left current, switch takes a
// unique prefix, the sessions kill preview is the sessions list table, killing this session
// logs its profile out, and what device-link status, device-link phone, apikey create
// --expires and an otpauth URL without a secret say.
#include <regex>
#include <sstream>

#include "hostile.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

const char* kChromeMac =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines of the sessions table in `text`: the header ("  ID ...") and the rows after it.
std::vector<std::string> table_in(const std::string& text) {
  std::vector<std::string> table;
  for (const auto& line : lines_of(text)) {
    if (table.empty() && line.rfind("  ID ", 0) != 0) continue;
    if (!table.empty() && line.size() > 1 && line[0] != ' ' && line[0] != '*') break;
    table.push_back(line);
  }
  return table;
}

// Whether every row of the table starts its USER AGENT cell where the header has it.
bool aligned(const std::vector<std::string>& table) {
  if (table.size() < 2) return false;
  const size_t column = table[0].find("USER AGENT");
  for (size_t i = 1; i < table.size(); ++i)
    if (table[i].size() <= column || table[i][column] == ' ' || table[i][column - 1] != ' ')
      return false;
  return column != std::string::npos;
}

int64_t id_with_agent(const NextermFixture& f, const std::string& agent) {
  for (const auto& s : f.broker.nexterm_sessions(kAdmin))
    if (s.user_agent == agent) return s.id;
  return -1;
}

int64_t current_id(const NextermFixture& f) {
  const auto listed = nlohmann::json::parse(f.run({"sessions", "list", "--json"}).out);
  for (const auto& s : listed["sessions"])
    if (s["current"] == true) return s["id"].get<int64_t>();
  return -1;
}

std::string one_spaced(const std::string& text) {
  std::string out;
  for (char c : text)
    if (!isspace(static_cast<unsigned char>(c)) || (!out.empty() && out.back() != ' '))
      out += isspace(static_cast<unsigned char>(c)) ? ' ' : c;
  return out;
}

}  // namespace

TEST_CASE("logout that leaves exactly one profile makes it current, and says so") {
  NeuronFixture f;
  for (const char* name : {"one", "two", "three"}) REQUIRE(f.login({"-p", name}).exit_code == 0);
  auto first = f.run({"logout"});  // three: two are left, neither is chosen
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(f.store()["current"].is_null());
  CHECK_FALSE(contains(first.err, "Current profile"));
  auto second = f.run({"logout", "-p", "one"});  // two is the only one left
  REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  CHECK(f.store()["current"] == "two");
  CHECK(contains(second.err, "Logged out of one"));
  CHECK(contains(second.err, "Current profile: two (the only one left)"));
  CHECK(f.run({"token"}).exit_code == 0);  // no -p or switch needed
  auto last = f.run({"logout"});
  CHECK(last.exit_code == 0);
  CHECK_FALSE(contains(last.err, "Current profile"));
  CHECK(f.store()["current"].is_null());
}

TEST_CASE("logout --local and --all: the one left becomes current; none when all go") {
  NeuronFixture f;
  for (const char* name : {"one", "two"}) REQUIRE(f.login({"-p", name}).exit_code == 0);
  auto local = f.run({"logout", "--local"});
  CHECK(local.exit_code == 0);
  CHECK(contains(local.err, "Current profile: one (the only one left)"));
  CHECK(f.store()["current"] == "one");
  for (const char* name : {"two", "three"}) REQUIRE(f.login({"-p", name}).exit_code == 0);
  auto all = f.run({"logout", "--all"});
  CHECK(all.exit_code == 0);
  CHECK_FALSE(contains(all.err, "Current profile"));  // each became the last in turn
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("switch takes a unique start of a name; an ambiguous one names the candidates") {
  NeuronFixture f;
  for (const char* name : {"alpha", "alps", "beta", "al"})
    REQUIRE(f.login({"-p", name}).exit_code == 0);
  auto b = f.run({"switch", "b"});
  CHECK_MESSAGE(b.exit_code == 0, b.err);
  CHECK(contains(b.err, "Current profile: beta"));
  CHECK(f.store()["current"] == "beta");
  auto ambiguous = f.run({"switch", "alp"});
  CHECK(ambiguous.exit_code == 2);
  CHECK(contains(ambiguous.err, "'alp' is the start of several profiles: alpha, alps"));
  CHECK(f.store()["current"] == "beta");
  CHECK(f.run({"switch", "alph"}).exit_code == 0);
  CHECK(f.store()["current"] == "alpha");
  CHECK(f.run({"switch", "al"}).exit_code == 0);  // a whole name wins over longer ones
  CHECK(f.store()["current"] == "al");
  auto none = f.run({"switch", "gamma"});
  CHECK(none.exit_code == 2);
  CHECK(contains(none.err, "no profile named gamma"));
  // -p and AUTHCTL_PROFILE take whole names only: a prefix names no profile
  CHECK(f.run({"token", "-p", "bet"}).exit_code != 0);
  CHECK(f.run({"token"}, {{"AUTHCTL_PROFILE", "bet"}}).exit_code != 0);
  CHECK(f.run({"token", "-p", "beta"}).exit_code == 0);
}

TEST_CASE("sessions list and the kill preview: one aligned table, user agents shortened") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const int64_t now = f.broker.now();
  f.broker.nexterm_session(kAdmin, kChromeMac, "10.0.0.7", now - 7200);
  f.broker.nexterm_session(kAdmin, "NextermConnector/1.0", "2001:db8::1234:5678:9abc", now - 60);
  auto list = f.run({"sessions", "list"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  const auto table = table_in(list.out);
  CHECK(table.size() == 4);
  CHECK_MESSAGE(aligned(table), list.out);
  CHECK(contains(list.out, "Chrome 126 on macOS"));
  CHECK_FALSE(contains(list.out, "AppleWebKit"));
  CHECK(contains(list.out, "authctl on "));  // our own login, by the host it came from
  CHECK(contains(list.out, "NextermConnector/1.0"));
  // --json keeps the server's user agent exact
  auto json = nlohmann::json::parse(f.run({"sessions", "list", "--json"}).out);
  bool exact = false;
  for (const auto& s : json["sessions"]) exact = exact || s["user_agent"] == kChromeMac;
  CHECK(exact);

  auto dry = f.run({"sessions", "kill", "--others", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.err, "Would kill 2 sessions:\n  ID "));
  const auto preview = table_in(dry.err);
  CHECK(preview.size() == 3);
  CHECK_MESSAGE(aligned(preview), dry.err);
  CHECK(contains(dry.err, "Chrome 126 on macOS"));
  auto yes = f.run({"sessions", "kill", std::to_string(id_with_agent(f, kChromeMac)), "--yes"});
  CHECK(yes.exit_code == 0);
  CHECK(contains(yes.err, "Killing 1 session:\n  ID "));
}

TEST_CASE("sessions kill --idle-for names the ids it leaves alone") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const int64_t now = f.broker.now();
  f.broker.nexterm_session(kAdmin, "old", "10.0.0.1", now - 7200);
  f.broker.nexterm_session(kAdmin, "recent", "10.0.0.2", now - 60);
  const std::string old_id = std::to_string(id_with_agent(f, "old"));
  const std::string recent_id = std::to_string(id_with_agent(f, "recent"));
  auto r = f.run({"sessions", "kill", "--idle-for", "1h", old_id, recent_id, "99999", "--yes"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.out, "killed " + old_id));
  CHECK(contains(r.err, "Left alone: " + recent_id + " (not among the sessions idle for 1h), " +
                            "99999 (not among the sessions idle for 1h)"));
  CHECK(id_with_agent(f, "recent") >= 0);
  auto none = f.run({"sessions", "kill", "--idle-for", "1h", recent_id, "--yes"});
  CHECK(none.exit_code == 0);
  CHECK(contains(none.err, "No sessions to kill"));
  CHECK(contains(none.err, "Left alone: " + recent_id));
}

TEST_CASE("killing this session removes its profile, as logout does, and says so") {
  NextermFixture f;
  f.broker.add_nexterm_account("bob", "bob-password-1");
  REQUIRE(f.login("bob", "bob-password-1", {"-p", "bob"}).exit_code == 0);
  REQUIRE(f.login().exit_code == 0);  // admin, current
  const std::string admin_profile = f.store()["current"];
  f.broker.nexterm_session(kAdmin, "other");
  auto r = f.run({"sessions", "kill", std::to_string(current_id(f)), "--yes", "--json"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["killed"].size() == 1);
  CHECK(j["logged_out"] == nlohmann::json::array({admin_profile}));
  CHECK(contains(r.err, "logged out of " + admin_profile + " (the profile was removed)"));
  CHECK(contains(r.err, "Current profile: bob (the only one left)"));
  CHECK_FALSE(f.store()["profiles"].contains(admin_profile));
  CHECK(f.store()["current"] == "bob");
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 1);  // "other" stays

  REQUIRE(f.login().exit_code == 0);  // admin again, current
  auto all = f.run({"sessions", "kill", "--idle-for", "0s", "--yes"});
  CHECK_MESSAGE(all.exit_code == 0, all.err);
  CHECK_FALSE(contains(all.err, "About to kill"));  // --yes: nothing is asked
  CHECK(contains(all.err, "logged out of " + admin_profile));
  CHECK(f.store()["current"] == "bob");
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
}

TEST_CASE("a server that calls another session current does not make authctl drop the profile") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string profile = f.store()["current"];
  f.broker.nexterm_session(kAdmin, "other");
  const int64_t other = id_with_agent(f, "other");
  REQUIRE(other > 0);
  // Both sessions claim to be this one: authctl believes it killed its own session...
  f.broker.inject_hostile("/api/sessions/list",
                          sets({{"/0/current", "true"}, {"/1/current", "true"}}));
  auto r = f.run({"sessions", "kill", std::to_string(other), "--yes", "--json"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  // ...until the server still takes the token: the profile stays.
  CHECK(nlohmann::json::parse(r.out)["logged_out"] == nlohmann::json::array());
  CHECK(contains(r.err, "it still accepts the token of " + profile + ": the profile was kept"));
  CHECK(f.store()["profiles"].contains(profile));
  CHECK(f.run({"whoami"}).exit_code == 0);
  CHECK(id_with_agent(f, "other") == -1);  // the one asked for is gone
}

TEST_CASE("device-link status: claimed says it may also mean unknown or expired") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"device-link", "status", "ABCD-EFGH"});  // a code the server never made
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == "claimed (or unknown or expired)\n");
  auto json = nlohmann::json::parse(f.run({"device-link", "status", "ABCD-EFGH", "--json"}).out);
  CHECK(json["status"] == "claimed");  // --json: the server's word
}

TEST_CASE("device-link phone: the code on stderr; nothing about scanning with --show-qr never") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::regex code("[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}");
  auto never = f.run({"device-link", "phone", "--show-qr", "never", "--wait", "1s"});
  CHECK(never.exit_code == 6);
  CHECK(never.out.empty());
  CHECK(std::regex_search(never.err, code));
  CHECK(contains(never.err, "Link code "));
  CHECK_FALSE(contains(never.err, "Scan"));
  CHECK_FALSE(contains(never.err, "scan"));
  auto drawn = f.run({"device-link", "phone", "--wait", "1s"});  // auto: drawn, not a tty
  CHECK(drawn.exit_code == 6);
  CHECK(contains(drawn.err, "Scan this QR code with the Nexterm app"));
  CHECK(std::regex_search(drawn.err, code));
  auto help = f.run({"device-link", "phone", "--help"});
  CHECK(contains(one_spaced(help.out), "auto and always (even when stderr is not a terminal)"));
}

TEST_CASE("apikey create --expires in the past is a usage error before any request") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.reset_counters();
  for (const char* when : {"2020-01-31", "2021-06-01T12:00:00Z", "0s"}) {
    CAPTURE(when);
    auto r = f.run({"apikey", "create", "ci", "--expires", when});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "is not in the future"));
    CHECK(r.out.empty());
  }
  CHECK(f.broker.count("/api/accounts/api-keys") == 0);
  auto later = f.run({"apikey", "create", "ci", "--expires", "90d"});
  CHECK_MESSAGE(later.exit_code == 0, later.err);
  CHECK(f.broker.count("/api/accounts/api-keys") == 1);
}

TEST_CASE("an otpauth URL without a secret says so, not that the secret is not base32") {
  NextermFixture f;
  f.broker.add_nexterm_account("tess", "tess-password", true);
  write_file(f.tmp.file("otp"), "otpauth://totp/Nexterm:tess?issuer=Nexterm\n");
  auto r = f.login("tess", "tess-password", {"--totp-secret-file", f.tmp.file("otp")});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "holds no secret"));
  CHECK_FALSE(contains(r.err, "base32"));
  auto env = f.login("tess", "tess-password", {},
                     {{"AUTHCTL_TOTP_SECRET", "otpauth://totp/Nexterm:tess?secret=&issuer=N"}});
  CHECK(env.exit_code == 2);
  CHECK(contains(env.err, "holds no secret"));
}
