// Device codes and sessions through the real binary: device-link (login, approve, status,
// phone), the QR it draws (decoded with zbarimg), and sessions list/kill.
#include <csignal>

#include "nexterm_fixture.hpp"
#include "qr_decode.hpp"
#include "waiting_output.hpp"

using namespace e2e;
using authctl::term::QrStyle;
using qr_decode::decode_text_qr;

TEST_CASE("device-link: code and link as JSON lines, approved, profile stored") {
  NextermFixture f;
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"}));
  auto code = json_line(p);
  CHECK(code["event"] == "code");
  const std::string c = code["code"];
  CHECK(code["link"] == f.broker.url() + "/link?code=" + c);
  CHECK(code["expires_at"].is_string());
  CHECK(f.broker.device_approve(c, kAdmin).size() == 96);
  auto done = json_line(p);
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(done["event"] == "logged_in");
  CHECK(done["user"] == "admin");
  CHECK(done["profile"] == std::string("admin@") + f.host());
  CHECK(f.store()["profiles"][std::string("admin@") + f.host()]["kind"] == "nexterm");
  // the session carries authctl's User-Agent, captured at device/create
  bool labelled = false;
  for (const auto& s : f.broker.nexterm_sessions(kAdmin))
    labelled |= s.user_agent.rfind("authctl/", 0) == 0;
  CHECK(labelled);
  CHECK(f.broker.count("/api/auth/device/create") == 1);
}

TEST_CASE("login --device is the same flow; --print-token --no-store writes nothing") {
  NextermFixture f;
  Process p(f.invocation({"login", "--device", "--host", f.broker.url(), "--json", "--interval",
                          "1s", "--no-store", "--print-token"}));
  auto code = json_line(p);
  const std::string token = f.broker.device_approve(code["code"], kAdmin);
  auto done = json_line(p);
  CHECK(p.wait().exit_code == 0);
  CHECK(done["token"] == token);
  CHECK(read_file(f.store_path()).empty());
}

TEST_CASE("device-link: an expired code is exit 6; --wait gives up with exit 6") {
  NextermFixture f;
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"}));
  json_line(p);
  f.broker.advance_clock(601);  // past the 10-minute lifetime
  auto expired = json_line(p);
  auto r = p.wait();
  CHECK(r.exit_code == 6);
  CHECK(expired["event"] == "expired");
  CHECK(read_file(f.store_path()).empty());

  // --wait shorter than the code's life: the code is still valid, so the wait gave up.
  auto w = f.run({"device-link", "--host", f.broker.url(), "--interval", "1s", "--wait", "2s",
                  "--show-qr", "never", "--json"});
  CHECK(w.exit_code == 6);
  CHECK(contains(w.err, "not approved within --wait 2s"));
  CHECK(last_json_line(w.out) == nlohmann::json{{"event", "gave_up"}});
}

TEST_CASE("device-link: Ctrl-C is exit 130 and nothing is stored") {
  NextermFixture f;
  Process p(f.invocation(
      {"device-link", "--host", f.broker.url(), "--interval", "1s", "--show-qr", "never"}));
  REQUIRE(p.wait_for_err("approve code"));
  p.signal(SIGINT);
  auto r = p.wait();
  CHECK(r.exit_code == 130);
  CHECK(read_file(f.store_path()).empty());
}

TEST_CASE("the QR code drawn decodes to the link: half blocks, ASCII, app form") {
  NextermFixture f;
  // Not a structured binding: CAPTURE takes `lang` into a lambda (clang 14 refuses that).
  for (const auto& case_ : std::vector<std::pair<std::string, QrStyle>>{
           {"C.UTF-8", QrStyle::half_blocks}, {"C", QrStyle::ascii}}) {
    const std::string& lang = case_.first;
    const QrStyle style = case_.second;
    for (std::string content : {"url", "app"}) {
      auto inv = f.invocation({"device-link", "--host", f.broker.url(), "--show-qr", "always",
                               "--qr-content", content, "--interval", "1s", "--wait", "1s"});
      inv.env["LANG"] = lang;
      Process p(inv);
      REQUIRE(p.wait_for_err("approve code"));
      auto r = p.wait();
      CHECK(r.exit_code == 6);
      const std::string c = r.err.substr(r.err.find("approve code ") + 13, 9);
      const std::string expected = content == "url"
                                       ? f.broker.url() + "/link?code=" + c
                                       : "nexterm://authorize?code=" + c +
                                             "&server=" + std::string("http%3A%2F%2F127.0.0.1%3A") +
                                             f.broker.url().substr(f.broker.url().rfind(':') + 1);
      CAPTURE(lang);
      CAPTURE(content);
      CHECK(decode_text_qr(qr_block(r.err, style), style) == expected);
    }
  }
}

TEST_CASE("--show-qr never and auto without a terminal draw nothing") {
  NextermFixture f;
  auto r = f.run({"device-link", "--host", f.broker.url(), "--interval", "1s", "--wait", "1s"});
  CHECK(r.exit_code == 6);
  CHECK(qr_block(r.err, QrStyle::half_blocks).empty());
  CHECK(contains(r.err, "/link?code="));
}

TEST_CASE("device-link approve: shows the device, needs --yes without a tty, authorizes") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto inv = f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "1s"});
  inv.env["AUTHCTL_CONFIG_DIR"] = f.tmp.path() + "/machine2";
  Process p(inv);
  const std::string code = json_line(p)["code"];
  std::string lower = code;
  for (char& ch : lower) ch = static_cast<char>(tolower(ch));

  auto no_yes = f.run({"device-link", "approve", lower});
  CHECK(no_yes.exit_code == 2);
  CHECK(contains(no_yes.err, "--yes"));
  CHECK(contains(no_yes.err, "connector"));  // the device was shown first
  CHECK(contains(no_yes.err, "authctl/"));

  auto st = f.run({"device-link", "status", code});
  CHECK(st.out == "pending\n");
  auto ok = f.run({"device-link", "approve", lower, "--yes"});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  auto done = json_line(p);
  CHECK(p.wait().exit_code == 0);
  CHECK(done["event"] == "logged_in");
  CHECK(f.run({"device-link", "status", code}).out == "claimed (or unknown or expired)\n");

  auto again = f.run({"device-link", "approve", code, "--yes"});
  CHECK(again.exit_code == 6);  // redeemed codes are gone: unknown
  auto unknown = f.run({"device-link", "approve", "ABCD-EFGH", "--yes"});
  CHECK(unknown.exit_code == 6);
  CHECK(f.run({"device-link", "approve", "not-a-code", "--yes"}).exit_code == 2);
}

TEST_CASE("device-link approve of a code authorized but not yet polled: exit 1") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  Process p(f.invocation({"device-link", "--host", f.broker.url(), "--json", "--interval", "30s"}));
  const std::string code = json_line(p)["code"];
  REQUIRE(f.run({"device-link", "approve", code, "--yes"}).exit_code == 0);
  auto twice = f.run({"device-link", "approve", code, "--yes"});
  CHECK(twice.exit_code == 1);
  CHECK(contains(twice.err, "already been authorized"));
  p.signal(SIGINT);
  p.wait();
}

TEST_CASE("device-link phone: authorized code, QR for the app, claimed -> exit 0") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  Process p(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  auto code = json_line(p);
  CHECK(code["event"] == "code");
  CHECK_FALSE(code.contains("link"));  // the poll token is a secret
  CHECK(f.broker.device_claim(f.broker.device_poll_token_for(code["code"])));
  auto done = json_line(p);
  CHECK(p.wait().exit_code == 0);
  CHECK(done["event"] == "claimed");

  const size_t with_phone = f.broker.nexterm_sessions(kAdmin).size();  // ours + the phone's
  Process late(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  json_line(late);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == with_phone + 1);  // made at authorize
  f.broker.advance_clock(601);
  CHECK(json_line(late)["event"] == "expired");
  auto expired = late.wait();
  CHECK(expired.exit_code == 6);
  CHECK(contains(expired.err, "Ended the session made for the phone"));
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == with_phone);  // nothing left behind

  Process stopped(
      f.invocation({"device-link", "phone", "--json", "--interval", "1s", "--show-qr", "never"}));
  json_line(stopped);
  stopped.signal(SIGINT);
  CHECK(stopped.wait().exit_code == 130);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == with_phone);
  CHECK(f.run({"whoami"}).exit_code == 0);  // our own session untouched

  auto short_wait = f.run({"device-link", "phone", "--wait", "1s", "--show-qr", "never"});
  CHECK(short_wait.exit_code == 6);
  CHECK(contains(short_wait.err, "did not use the link within --wait 1s"));
  CHECK(f.run({"device-link", "phone", "--host", f.broker.url()}).exit_code == 2);
  CHECK(f.run({"device-link", "phone", "--qr-content", "app"}).exit_code == 2);
  CHECK(f.run({"device-link", "--wait", "1s", "phone"}).exit_code == 2);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == with_phone);
}

TEST_CASE("device-link phone draws the devicelink QR, and the trace hides its token") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto inv = f.invocation({"-v", "device-link", "phone", "--interval", "1s", "--wait", "1s"});
  Process p(inv);
  auto r = p.wait();
  CHECK(r.exit_code == 6);
  std::string decoded = decode_text_qr(qr_block(r.err, QrStyle::half_blocks), QrStyle::half_blocks);
  REQUIRE(decoded.rfind("nexterm://devicelink?token=", 0) == 0);
  const std::string token = decoded.substr(27, 64);
  CHECK(contains(decoded, "&server=http%3A%2F%2F127.0.0.1"));
  // the QR carries it; the text of the trace does not
  std::string without_qr = r.err;
  CHECK_FALSE(contains(without_qr, token));
}

TEST_CASE("sessions list: newest activity first, current marked, --idle-for filters") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const int64_t now = f.broker.now();
  f.broker.nexterm_session(kAdmin, "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", "10.0.0.7",
                           now - 7200);
  f.broker.nexterm_session(kAdmin, "NextermConnector/1.0", "10.0.0.8", now - 60);
  f.broker.nexterm_session(kAdmin, "old laptop", "10.0.0.9", now - 86400 * 3);
  auto j = nlohmann::json::parse(f.run({"sessions", "list", "--json"}).out);
  auto list = j["sessions"];
  REQUIRE(list.size() == 4);
  CHECK(list[0]["current"] == true);  // the one in use is the most recently active
  CHECK(list[1]["user_agent"] == "NextermConnector/1.0");
  CHECK(list[2]["ip"] == "10.0.0.7");
  CHECK(list[3]["user_agent"] == "old laptop");
  CHECK(list[3]["last_activity"].get<std::string>().back() == 'Z');
  auto idle = nlohmann::json::parse(f.run({"sessions", "list", "--idle-for", "1h", "--json"}).out);
  CHECK(idle["sessions"].size() == 2);
  auto table = f.run({"sessions", "list"});
  CHECK(contains(table.out, "* "));
  CHECK(contains(table.out, "3d ago"));
  CHECK(contains(table.out, "Firefox 140 on Linux"));  // --json has the whole header
}

TEST_CASE("sessions kill: --dry-run, confirmation, --others, --idle-for, 206 reported") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const int64_t now = f.broker.now();
  for (int i = 0; i < 5; ++i)
    f.broker.nexterm_session(kAdmin, "ua" + std::to_string(i), "10.0.0.1", now - 3600 * i);
  REQUIRE(f.broker.nexterm_sessions(kAdmin).size() == 6);

  auto dry = f.run({"sessions", "kill", "--others", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.err, "Would kill 5 sessions"));
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 6);

  auto ask = f.run({"sessions", "kill", "--others"});
  CHECK(ask.exit_code == 2);
  CHECK(contains(ask.err, "--yes"));
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 6);

  auto idle = f.run({"sessions", "kill", "--idle-for", "150m", "--yes", "--json"});
  CHECK(idle.exit_code == 0);
  auto killed = nlohmann::json::parse(idle.out);
  CHECK(killed["killed"].size() == 2);  // 3 h and 4 h idle
  CHECK(killed["failed"].empty());
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 4);

  auto ids = f.broker.nexterm_sessions(kAdmin);
  auto partial = f.run({"sessions", "kill", std::to_string(ids[1].id), "99999", "--yes"});
  CHECK(partial.exit_code == 1);
  CHECK(contains(partial.out, "killed " + std::to_string(ids[1].id)));
  CHECK(contains(partial.out, "failed 99999: The provided session does not exist"));

  auto others = f.run({"sessions", "kill", "--others", "--yes"});
  CHECK(others.exit_code == 0);
  auto left = f.broker.nexterm_sessions(kAdmin);
  REQUIRE(left.size() == 1);
  CHECK(f.run({"whoami"}).exit_code == 0);  // the current one survived
  CHECK(f.run({"sessions", "kill"}).exit_code == 2);
}

TEST_CASE("sessions kill: this session goes last, so killing all of them works") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const int64_t now = f.broker.now();
  for (int i = 0; i < 20; ++i)
    f.broker.nexterm_session(kAdmin, "ua" + std::to_string(i), "10.0.0.1", now - 60);
  auto all = f.run({"sessions", "kill", "--idle-for", "0s", "--yes", "--json"});
  CHECK_MESSAGE(all.exit_code == 0, all.err);
  auto j = nlohmann::json::parse(all.out);
  CHECK(j["killed"].size() == 21);
  CHECK(j["failed"].empty());
  CHECK(f.broker.nexterm_sessions(kAdmin).empty());
  CHECK(contains(all.err, "(the profile was removed)"));  // as logout would
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("sessions kill: ids once each; ids with --others is a usage error; --dry-run --json") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string token = f.broker.nexterm_session(kAdmin, "other");
  int64_t other_id = 0;
  for (const auto& s : f.broker.nexterm_sessions(kAdmin))
    if (s.token == token) other_id = s.id;
  const std::string id = std::to_string(other_id);
  auto dry = f.run({"sessions", "kill", id, "--dry-run", "--json"});
  CHECK(nlohmann::json::parse(dry.out)["would_kill"] == nlohmann::json::array({other_id}));
  CHECK(f.run({"sessions", "kill", id, "--others", "--yes"}).exit_code == 2);
  auto twice = f.run({"sessions", "kill", id, id, "--yes"});
  CHECK(twice.exit_code == 0);
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == 1);
}
