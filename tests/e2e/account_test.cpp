// Neuron onboarding through the real binary: account create, verify-email/-phone, resend.
#include "fixture.hpp"

using namespace e2e;

namespace {
std::vector<std::string> create_args(const NeuronFixture& f, const std::string& user,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"account",
                                "create",
                                "--host",
                                f.broker.url(),
                                "-u",
                                user,
                                "--email",
                                user + "@example.com",
                                "--api-key",
                                "MyApiKey",
                                "--api-secret-file",
                                f.tmp.file("secret"),
                                "--password-stdin"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
}  // namespace

TEST_CASE("account create stores a not-yet-enabled profile; verify-email enables it") {
  NeuronFixture f;
  f.broker.add_api_key("MyApiKey", "MyApiSecret");
  write_file(f.tmp.file("secret"), "MyApiSecret\n");
  auto r = f.run(create_args(f, "carol"), {}, "Carol-passw0rd\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.err, "not enabled yet"));
  const std::string name = "carol@" + f.broker.url().substr(7);
  CHECK(f.store()["profiles"][name]["enabled"] == false);
  CHECK(contains(f.run({"status"}).out, "not yet enabled"));
  CHECK(nlohmann::json::parse(f.run({"whoami", "--json"}).out)["enabled"] == false);
  // a disabled account cannot log in yet
  CHECK(f.run({"login", "--host", f.broker.url(), "-u", "carol", "--password-stdin", "-p", "x"}, {},
              "Carol-passw0rd\n")
            .exit_code == 4);

  auto wrong = f.run({"account", "verify-email", "1"});
  CHECK(wrong.exit_code == 4);
  CHECK(f.run({"account", "verify-email", "abc"}).exit_code == 2);
  CHECK(f.run({"account", "resend-codes"}).exit_code == 0);
  const int code = f.broker.email_code("carol@example.com");
  auto ok = f.run({"account", "verify-email", std::to_string(code)});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(contains(ok.err, "enabled"));
  CHECK(f.store()["profiles"][name]["enabled"] == true);
  CHECK(f.run({"login", "--host", f.broker.url(), "-u", "carol", "--password-stdin", "-p", "x"}, {},
              "Carol-passw0rd\n")
            .exit_code == 0);
}

TEST_CASE("with a phone number both codes are needed; the signature covers the phone") {
  NeuronFixture f;
  f.broker.add_api_key("MyApiKey", "MyApiSecret");
  write_file(f.tmp.file("secret"), "MyApiSecret\n");
  REQUIRE(
      f.run(create_args(f, "dave", {"--phone", "+46700000000"}), {}, "Dave-passw0rd\n").exit_code ==
      0);
  const std::string name = "dave@" + f.broker.url().substr(7);
  auto email =
      f.run({"account", "verify-email", std::to_string(f.broker.email_code("dave@example.com"))});
  CHECK(email.exit_code == 0);
  CHECK(contains(email.err, "still to verify: phone"));
  CHECK(f.store()["profiles"][name]["enabled"] == false);
  auto phone =
      f.run({"account", "verify-phone", std::to_string(f.broker.phone_code("+46700000000"))});
  CHECK(phone.exit_code == 0);
  CHECK(f.store()["profiles"][name]["enabled"] == true);
}

TEST_CASE("a taken name lists the server's suggestions (exit 1); secrets only from file or env") {
  NeuronFixture f;  // alice exists
  f.broker.add_api_key("MyApiKey", "MyApiSecret");
  write_file(f.tmp.file("secret"), "MyApiSecret\n");
  auto taken = f.run(create_args(f, "alice"), {}, "x-passw0rd\n");
  CHECK(taken.exit_code == 1);
  CHECK(contains(taken.err, "is taken"));
  CHECK(contains(taken.err, "alice"));
  auto env = f.run({"account", "create", "--host", f.broker.url(), "-u", "erin", "--email",
                    "e@example.com", "--password-stdin"},
                   {{"NEURON_API_KEY", "MyApiKey"}, {"NEURON_API_SECRET", "MyApiSecret"}},
                   "Erin-passw0rd\n");
  CHECK_MESSAGE(env.exit_code == 0, env.err);
  auto none = f.run({"account", "create", "--host", f.broker.url(), "-u", "fred", "--email",
                     "f@example.com", "--api-key", "MyApiKey", "--password-stdin"},
                    {}, "x\n");
  CHECK(none.exit_code == 2);
  CHECK(contains(none.err, "NEURON_API_SECRET"));
  write_file(f.tmp.file("wrong"), "NotTheSecret\n");
  auto bad = f.run(
      {"account", "create", "--host", f.broker.url(), "-u", "gina", "--email", "g@example.com",
       "--api-key", "MyApiKey", "--api-secret-file", f.tmp.file("wrong"), "--password-stdin"},
      {}, "x-passw0rd\n");
  CHECK(bad.exit_code == 4);  // the broker rejects the signature
}
