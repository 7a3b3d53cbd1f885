// remote-quick-login against two brokers: the user's own Neuron and a remote one.
#include <thread>

#include "fixture.hpp"
#include "waiting_output.hpp"

using namespace e2e;

TEST_CASE("remote-quick-login: petition sent, the remote cookie kept, logged in once signed") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  auto first = home.run({"remote-quick-login", "--remote", remote.url(), "--json"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  auto j = nlohmann::json::parse(first.out);
  CHECK(j == nlohmann::json{{"event", "petition_sent"},
                            {"profile", home.profile_name()},
                            {"remote", remote.url()}});
  CHECK(home.broker.count("/Agent/Account/PrepareRemoteQuickLogin") == 1);
  const std::string cookie =
      home.store()["profiles"][home.profile_name()]["remote_cookies"][remote.url()];
  REQUIRE(cookie.size() > 10);
  // the user signs in the app; the same web session (cookie) is now logged in there
  REQUIRE(remote.sign_remote_petition(cookie, kUser));
  auto again = home.run({"remote-quick-login", "--remote", remote.url(), "--json"});
  CHECK(nlohmann::json::parse(again.out)["event"] == "logged_in");
  CHECK(contains(home.run({"remote-quick-login", "--remote", remote.url()}).err, "Logged in on"));
}

TEST_CASE("remote-quick-login --wait: the outcome through the remote's /ClientEvents") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  remote.set_client_events_wait_ms(200);  // NOP rounds while waiting
  REQUIRE(home.login().exit_code == 0);
  auto cookie_of = [&] {
    return home.store()["profiles"][home.profile_name()]["remote_cookies"].value(remote.url(),
                                                                                 std::string());
  };
  // No remote session yet: the petition call makes one, the tab registers right after it.
  // Then with a session: the tab registers first. Either way, one petition and the event.
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    const int before = remote.count("/Agent/Account/RemoteQuickLogin");
    const int polls = remote.count("/ClientEvents");
    if (round == 1) REQUIRE(!cookie_of().empty());
    Process p(Invocation{
        {"remote-quick-login", "--remote", remote.url(), "--wait", "30s", "--json"}, home.env, ""});
    REQUIRE(json_line(p)["event"] == "petition_sent");  // --json: stdout only
    REQUIRE(!cookie_of().empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(remote.count("/ClientEvents") > polls);
    REQUIRE(remote.sign_remote_petition(cookie_of(), kUser));
    auto r = p.wait();
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(last_json_line(r.out)["event"] == "logged_in");
    // Learned from the event, not by asking again (that would send another petition).
    CHECK(remote.count("/Agent/Account/RemoteQuickLogin") == before + 1);
    // A new round needs a session that is not logged in yet.
    if (round == 0) {
      auto store = home.store();
      store["profiles"][home.profile_name()]["remote_cookies"][remote.url()] = "fresh-session-1";
      write_file(home.store_path(), store.dump());
    }
  }
}

TEST_CASE("remote-quick-login --wait without an event channel asks again instead") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  remote.inject_fault("/ClientEvents", testbroker::Fault::redirect, 5);
  auto r = home.run({"remote-quick-login", "--remote", remote.url(), "--wait", "2s"});
  CHECK(r.exit_code == 6);
  CHECK(contains(r.err, "the event channel of"));
  CHECK(contains(r.err, "asking again every 10s"));
  CHECK(remote.count("/Agent/Account/RemoteQuickLogin") == 1);  // no faster than every 10 s
}

TEST_CASE(
    "remote-quick-login --wait: exit 6 when not signed in time; --interval under 10s refused") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  auto timeout =
      home.run({"remote-quick-login", "--remote", remote.url(), "--wait", "2s", "--json"});
  CHECK(timeout.exit_code == 6);
  // The petition stays valid in the app: the wait gave up, nothing expired.
  const auto lines = json_lines(timeout.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["event"] == "petition_sent");
  CHECK(lines[1] == nlohmann::json{{"event", "gave_up"}});
  CHECK(contains(timeout.err, "not signed within --wait 2s"));
  CHECK(home.run({"remote-quick-login", "--remote", home.broker.url()}).exit_code == 2);
  testbroker::Options nx;
  nx.kind = testbroker::Kind::nexterm;
  testbroker::Broker nexterm(nx);
  nexterm.start();
  auto not_neuron = home.run({"remote-quick-login", "--remote", nexterm.url()});
  CHECK(not_neuron.exit_code == 1);
  CHECK(contains(not_neuron.err, "has no remote quick login"));
  CHECK(remote.count("/Agent/Account/RemoteQuickLogin") == 1);  // no faster than every 10 s

  auto inv = Invocation{
      {"remote-quick-login", "--remote", remote.url(), "--wait", "30s", "--json"}, home.env, ""};
  Process p(inv);
  REQUIRE(json_line(p)["event"] == "petition_sent");
  const std::string cookie =
      home.store()["profiles"][home.profile_name()]["remote_cookies"][remote.url()];
  REQUIRE(remote.sign_remote_petition(cookie, kUser));
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(last_json_line(r.out)["event"] == "logged_in");
  CHECK(
      home.run({"remote-quick-login", "--remote", remote.url(), "--interval", "1s", "--wait", "5s"})
          .exit_code == 2);  // faster than every 10 s is refused
}

TEST_CASE("a redirect names the option that gave the server: --remote, or --host") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  remote.inject_fault("/Agent/Account/RemoteQuickLogin", testbroker::Fault::redirect);
  auto r = home.run({"remote-quick-login", "--remote", remote.url()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "which authctl does not follow: use the final URL in --remote"));
  CHECK(!contains(r.err, "--host"));
  // The same kind of answer from the server of --host says --host.
  home.broker.inject_fault("/Agent/Account/Login", testbroker::Fault::redirect);
  auto login = home.login();
  CHECK(login.exit_code == 1);
  CHECK(contains(login.err, "use the final URL in --host"));
  // And from a profile's stored URL: log in again (no option named it this time).
  home.broker.inject_fault("/Agent/Account/Info", testbroker::Fault::redirect);
  auto whoami = home.run({"whoami"});
  CHECK(whoami.exit_code == 1);
  CHECK(contains(whoami.err, "log in again with --host set to the final URL"));
}

TEST_CASE("an invalid --remote is named --remote") {
  NeuronFixture home;
  REQUIRE(home.login().exit_code == 0);
  auto r = home.run({"remote-quick-login", "--remote", "https://user@host.example"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "invalid --remote 'https://user@host.example'"));
}
