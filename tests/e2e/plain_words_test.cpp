// authctl's own words first: a plain-HTTP server reached over https, server texts after
// authctl's words, a --kind that names the other kind of server, and a password from a file
// or stdin that is never retried. (What a terminal shows is in tty_test.cpp.)
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

// "https://127.0.0.1:PORT" for the plain-HTTP broker at `url` ("http://127.0.0.1:PORT").
std::string as_https(const std::string& url) {
  return "https://" + url.substr(url.find("://") + 3);
}

}  // namespace

TEST_CASE("an https URL to a plain-HTTP server: HOST speaks plain HTTP, OpenSSL's words only -v") {
  NeuronFixture f;
  REQUIRE(f.broker.url().rfind("http://", 0) == 0);
  const std::string authority = f.broker.url().substr(7);
  const std::vector<std::string> args{"login", "--host", as_https(f.broker.url()),
                                      "-u",    kUser,    "--password-stdin"};
  auto r = f.run(args, {}, std::string(kPassword) + "\n");
  CHECK(r.exit_code == 3);
  CHECK(r.err ==
        "authctl: " + authority + " speaks plain HTTP: use --host http://" + authority + "\n");
  auto verbose =
      f.run({"-v", "login", "--host", as_https(f.broker.url()), "-u", kUser, "--password-stdin"},
            {}, std::string(kPassword) + "\n");
  CHECK(verbose.exit_code == 3);
  CHECK(contains(verbose.err, authority + " speaks plain HTTP ("));
  CHECK(contains(verbose.err, "wrong version number"));
  CHECK_FALSE(contains(verbose.err, kPassword));
  // The hint's command works.
  CHECK(f.run({"login", "--host", "http://" + authority, "-u", kUser, "--password-stdin"}, {},
              std::string(kPassword) + "\n")
            .exit_code == 0);
}

TEST_CASE("a wrong Neuron password: authctl's words, then the server's") {
  NeuronFixture f;
  auto r = f.login({}, "wrong-password");
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "authctl: wrong user name or password (server: Invalid signature): "));
  CHECK(f.broker.count("/Agent/Account/Login") == 1);  // from stdin: never retried
}

TEST_CASE("a wrong Nexterm password from a file: the server's words after ours, no retry") {
  NextermFixture f;
  write_file(f.tmp.file("pw"), "nope\n");
  auto r =
      f.run({"login", "--host", f.broker.url(), "-u", kAdmin, "--password-file", f.tmp.file("pw")});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err,
                 "authctl: wrong user name or password (server: Username or password incorrect)"));
  CHECK(f.broker.count("/api/auth/login") == 1);
  auto env =
      f.run({"login", "--host", f.broker.url(), "-u", kAdmin}, {{"AUTHCTL_PASSWORD", "nope"}});
  CHECK(env.exit_code == 4);
  CHECK(f.broker.count("/api/auth/login") == 2);
}

TEST_CASE("--kind neuron against a Nexterm says so (and --kind nexterm against a Neuron)") {
  NextermFixture nexterm;
  auto r = nexterm.login(kAdmin, kAdminPassword, {"--kind", "neuron"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, nexterm.host() + " is a Nexterm, not a Neuron (--kind neuron)"));
  CHECK(contains(r.err, "give --kind nexterm, or leave --kind out"));
  CHECK(nexterm.broker.count("/api/auth/login") == 0);

  NeuronFixture neuron;
  auto back = neuron.login({"--kind", "nexterm"});
  CHECK(back.exit_code == 1);
  CHECK(contains(back.err, "is a Neuron, not a Nexterm (--kind nexterm)"));
  CHECK(neuron.broker.count("/Agent/Account/Login") == 0);
}

TEST_CASE("CI=true or --no-input: the error says prompting is off, and why") {
  NeuronFixture f;
  auto ci = f.run({"login", "--host", f.broker.url(), "-u", kUser}, {{"CI", "true"}});
  CHECK(ci.exit_code == 4);
  CHECK(contains(ci.err, "prompting is off because CI=true"));
  auto no_input = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--no-input"});
  CHECK(no_input.exit_code == 4);
  CHECK(contains(no_input.err, "prompting is off (--no-input)"));
  auto plain = f.run({"login", "--host", f.broker.url(), "-u", kUser});
  CHECK(contains(plain.err, "no terminal is there to ask for it"));
}
