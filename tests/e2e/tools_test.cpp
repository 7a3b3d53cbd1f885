// exec, api and verify-jwt through the real binary, on both kinds of server.
#include <sys/stat.h>

#include "fixture.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

TEST_CASE("exec runs CMD with the session in its environment and returns its exit code") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string token = f.store()["profiles"][f.profile_name()]["token"];
  auto r = f.run({"exec", "--", "/bin/sh", "-c",
                  "printf '%s|%s|%s|%s' \"$AUTHCTL_TOKEN\" \"$AUTHCTL_HOST\" \"$AUTHCTL_USER\" "
                  "\"$AUTHCTL_KIND\"; exit 7"});
  CHECK(r.exit_code == 7);
  CHECK(r.out == token + "|" + f.broker.url() + "|alice|neuron");
  CHECK(f.run({"exec", "--", "/bin/sh", "-c", "kill -TERM $$"}).exit_code == 128 + 15);
  auto missing = f.run({"exec", "--", "no-such-command-anywhere"});
  CHECK(missing.exit_code == 127);
  CHECK(contains(missing.err, "cannot run no-such-command-anywhere"));
  CHECK(f.run({"exec"}).exit_code == 2);
}

TEST_CASE("exec refreshes first when the token is short of --min-valid") {
  NeuronFixture f;
  REQUIRE(f.login({"--seconds", "100"}).exit_code == 0);
  auto r =
      f.run({"exec", "--min-valid", "5m", "--", "/bin/sh", "-c", "printf %s \"$AUTHCTL_TOKEN\""});
  CHECK(r.exit_code == 0);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  CHECK(r.out == f.store()["profiles"][f.profile_name()]["token"].get<std::string>());
}

TEST_CASE("api: typed -f fields, --input, -i with redacted headers, exit codes") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto info = f.run({"api", "-X", "POST", "/Agent/Account/Info", "--input", "-"}, {}, "{}");
  CHECK_MESSAGE(info.exit_code == 0, info.err);
  CHECK(nlohmann::json::parse(info.out)["userName"] == "alice");
  auto refresh = f.run({"api", "/Agent/Account/Refresh", "-f", "seconds=120", "-i"});
  CHECK(refresh.exit_code == 0);  // POST because of the body; 120 went as a number
  CHECK(contains(refresh.out, "HTTP 200"));
  CHECK(contains(refresh.out, "Content-Type: application/json"));
  auto bad = f.run({"api", "/Agent/Account/Refresh", "-f", "seconds=soon"});
  CHECK(bad.exit_code == 1);  // the broker's 400 for a string
  CHECK(contains(bad.err, "HTTP 400"));
  auto raw = f.run({"api", "/Agent/Account/Refresh", "-f", "seconds:=60"});
  CHECK(raw.exit_code == 0);
  f.broker.advance_clock(7200);
  auto expired = f.run({"api", "-X", "POST", "/Agent/Account/Info", "--input", "-"}, {}, "{}");
  CHECK(expired.exit_code == 4);
}

TEST_CASE("api never sends the token to another server") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  f.broker.reset_counters();
  for (std::string target : {"https://evil.example.com/Agent/Account/Info", "Agent/Account/Info",
                             "http://127.0.0.1:1/x"}) {
    auto r = f.run({"api", target});
    CAPTURE(target);
    CHECK(r.exit_code == 2);
  }
  CHECK(f.broker.count("*") == 0);
  auto same = f.run({"api", "-X", "POST", f.broker.url() + "/Agent/Account/Info", "--input", "-"},
                    {}, "{}");
  CHECK(same.exit_code == 0);
}

TEST_CASE("api on Nexterm: an integer code in a 200 body is exit 1; 429 is 5") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto me = f.run({"api", "/api/accounts/me"});
  CHECK(me.exit_code == 0);
  CHECK(nlohmann::json::parse(me.out)["username"] == "admin");
  auto soft = f.run({"api", "-X", "DELETE", "/api/sessions/99999"});
  CHECK(soft.exit_code == 1);
  CHECK(contains(soft.out, "\"code\":206"));
  f.broker.inject_fault("/api/accounts/me", testbroker::Fault::rate_limit);
  CHECK(f.run({"api", "/api/accounts/me"}).exit_code == 5);
  // Neuron-only commands refuse a Nexterm profile before any request
  f.broker.reset_counters();
  for (auto args :
       std::vector<std::vector<std::string>>{{"send-message", "--to", "bob@x", "hi"},
                                             {"remote-quick-login", "--remote", f.broker.url()},
                                             {"verify-jwt"}}) {
    auto r = f.run(args);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "works with neuron profiles"));
  }
  CHECK(f.broker.count("*") == 0);
}

TEST_CASE("verify-jwt: the stored token, one from stdin, --json, an invalid one (exit 4)") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"verify-jwt"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.out, "subject: alice"));
  CHECK(contains(r.out, "issuer:  https://"));
  CHECK(contains(r.out, "expires: "));
  auto j = nlohmann::json::parse(f.run({"verify-jwt", "--json"}).out);
  CHECK(j["profile"] == f.profile_name());
  CHECK(j["valid"] == true);
  CHECK(j["expires_at"].is_string());
  CHECK(j["server"]["claims"]["sub"] == "alice");
  CHECK(j["server"]["header"]["alg"] == "HS256");  // the server's JSON text, as an object
  CHECK(j["server"]["payload"]["sub"] == "alice");
  const std::string other = f.broker.issue_token("alice", 60);
  auto in = f.run({"verify-jwt", "-"}, {}, other + "\n");
  CHECK(in.exit_code == 0);
  auto invalid = f.run({"verify-jwt", "-"}, {}, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad\n");
  CHECK(invalid.exit_code == 4);
  CHECK(f.run({"verify-jwt", other}).exit_code == 2);  // never from argv
}

TEST_CASE("send-message: prints the id; sent:false is exit 1; text from stdin") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  auto r = f.run({"send-message", "--to", "bob@localhost", "--subject", "hi", "hello there"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto sent = f.broker.sent_messages();
  REQUIRE(sent.size() == 1);
  CHECK(r.out == sent[0].id + "\n");
  CHECK(sent[0].to == "bob@localhost");
  CHECK(sent[0].message == "hello there");
  CHECK(sent[0].subject == "hi");
  auto in = f.run({"send-message", "--to", "bob@localhost", "-"}, {}, "from stdin");
  CHECK(in.exit_code == 0);

  CHECK(f.broker.sent_messages().back().message == "from stdin");
  auto json = f.run({"send-message", "--to", "bob@localhost", "--json", "x"});
  CHECK(nlohmann::json::parse(json.out) ==
        nlohmann::json{{"profile", f.profile_name()},
                       {"sent", true},
                       {"id", f.broker.sent_messages().back().id},
                       {"to", "bob@localhost"}});
  f.broker.fail_next_send();
  auto failed = f.run({"send-message", "--to", "bob@localhost", "x"});
  CHECK(failed.exit_code == 1);
  CHECK(contains(failed.err, "sent: false"));
  CHECK(f.run({"send-message", "--to", "not a jid", "x"}).exit_code == 1);  // the broker's 400
  CHECK(f.run({"send-message", "x"}).exit_code == 2);
}

TEST_CASE("api --input and login --session-cookie refuse a FIFO at once instead of hanging") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string fifo = f.tmp.path() + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const auto api = f.run({"api", "/Agent/Account/Info", "--input", fifo});
  CHECK(api.exit_code == 1);
  CHECK(contains(api.err, "--input " + fifo + " is a FIFO"));
  const auto cookie = f.run({"login", "--host", f.broker.url(), "--session-cookie", fifo});
  CHECK(cookie.exit_code == 1);
  CHECK(contains(cookie.err, "--session-cookie " + fifo + " is a FIFO"));
  // "-" still reads standard input
  const auto piped = f.run({"api", "/Agent/Account/Info", "--input", "-"}, {}, "{}");
  CHECK(piped.exit_code == 0);
}
