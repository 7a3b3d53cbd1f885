// remote-quick-login against two brokers: the user's own Neuron and a remote one.
#include "fixture.hpp"

using namespace e2e;

TEST_CASE("remote-quick-login: petition sent, the remote cookie kept, logged in once signed") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  auto first = home.run({"remote-quick-login", "--remote", remote.url(), "--json"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  auto j = nlohmann::json::parse(first.out);
  CHECK(j["logged_in"] == false);
  CHECK(j["petition_sent"] == true);
  CHECK(home.broker.count("/Agent/Account/PrepareRemoteQuickLogin") == 1);
  const std::string cookie =
      home.store()["profiles"][home.profile_name()]["remote_cookies"][remote.url()];
  REQUIRE(cookie.size() > 10);
  // the user signs in the app; the same web session (cookie) is now logged in there
  REQUIRE(remote.sign_remote_petition(cookie, kUser));
  auto again = home.run({"remote-quick-login", "--remote", remote.url(), "--json"});
  CHECK(nlohmann::json::parse(again.out)["logged_in"] == true);
  CHECK(contains(home.run({"remote-quick-login", "--remote", remote.url()}).err, "Logged in on"));
}

TEST_CASE("remote-quick-login --wait: asks again every --interval until signed, or exit 6") {
  NeuronFixture home;
  testbroker::Broker remote;
  remote.start();
  REQUIRE(home.login().exit_code == 0);
  auto timeout = home.run({"remote-quick-login", "--remote", remote.url(), "--wait", "2s"});
  CHECK(timeout.exit_code == 6);
  CHECK(remote.count("/Agent/Account/RemoteQuickLogin") == 1);  // no faster than every 10 s

  auto inv = Invocation{
      {"remote-quick-login", "--remote", remote.url(), "--wait", "30s", "--json"}, home.env, ""};
  Process p(inv);
  REQUIRE(p.wait_for_err("petition was sent"));
  const std::string cookie =
      home.store()["profiles"][home.profile_name()]["remote_cookies"][remote.url()];
  REQUIRE(remote.sign_remote_petition(cookie, kUser));
  auto r = p.wait();
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(nlohmann::json::parse(r.out)["logged_in"] == true);
  CHECK(
      home.run({"remote-quick-login", "--remote", remote.url(), "--interval", "1s", "--wait", "5s"})
          .exit_code == 2);  // faster than every 10 s is refused
}
