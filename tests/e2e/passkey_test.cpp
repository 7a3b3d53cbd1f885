// Passkeys through the real binary against the broker's WebAuthn verification: passkey
// add/list/rename/remove, login --passkey on a TOTP account with no code, shared read-only
// key files, encrypted keys, and the spec's error codes mapped to exit codes.
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

const char* kDev = "dev";
const char* kDevPassword = "Dev-pass-w0rd";

struct PasskeyFixture : NextermFixture {
  std::string totp_file;

  PasskeyFixture() {
    broker.add_nexterm_account(kDev, kDevPassword, /*totp=*/true, false);
    totp_file = tmp.file("totp");
    write_file(totp_file, broker.nexterm_totp_secret(kDev) + "\n");
  }

  std::string passkeys_dir() const { return tmp.path() + "/config/passkeys"; }
  std::vector<std::string> key_files() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(passkeys_dir(), ec))
      out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  // A password + TOTP login (the TOTP code computed from the secret file).
  Result login_dev() {
    align_totp(kDev, 5, false);
    return run({"login", "--host", broker.url(), "-u", kDev, "--password-stdin",
                "--totp-secret-file", totp_file},
               {}, std::string(kDevPassword) + "\n");
  }
  Result passkey_login(std::vector<std::string> extra = {},
                       std::map<std::string, std::string> extra_env = {}) const {
    std::vector<std::string> args{"login", "--passkey", "--host", broker.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args, extra_env);
  }
  std::string profile() const { return std::string(kDev) + "@" + host(); }
};

bool wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE(
    "passkey add, log out, log in with it on a TOTP account with no code; list, rename, "
    "remove") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  auto add = f.run({"passkey", "add", "--name", "ci laptop", "--json"});
  REQUIRE_MESSAGE(add.exit_code == 0, add.err);
  CHECK(contains(add.err, "warning: Nexterm lets a passkey login skip TOTP"));
  auto added = nlohmann::json::parse(add.out);
  const std::string file = added["key_file"];
  CHECK(added["name"] == "ci laptop");
  CHECK(added["encrypted"] == false);
  const std::string profile = f.store()["current"];
  CHECK(added["profile"] == profile);
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(f.passkeys_dir()) == 0700);
  auto on_server = f.broker.nexterm_passkeys(kDev);
  REQUIRE(on_server.size() == 1);
  CHECK(added["id"] == on_server[0].id);
  auto key = nlohmann::json::parse(read_file(file));
  CHECK(key["origin"] == f.broker.url());
  CHECK(key["rpId"] == "127.0.0.1");
  CHECK(key["rowId"] == on_server[0].id);
  CHECK(key["credentialId"] == on_server[0].credential_id);
  CHECK(key["user"] == kDev);
  CHECK(key["serverUrl"] == f.broker.url());
  CHECK(std::string(key["privateKey"]).rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);

  REQUIRE(f.run({"logout"}).exit_code == 0);
  const int logins = f.broker.count("/api/auth/login");
  auto in = f.passkey_login();  // no stdin, no TOTP secret, no terminal
  REQUIRE_MESSAGE(in.exit_code == 0, in.err);
  CHECK(contains(in.err, "Logged in to " + f.broker.url() + " as dev"));
  CHECK(f.broker.count("/api/auth/login") == logins);  // no password login
  CHECK(f.broker.count("/api/auth/passkey/options") == 1);
  CHECK(f.broker.count("/api/auth/passkey/verify") == 1);
  CHECK(f.store()["profiles"][f.profile()]["passkey_file"] == file);
  CHECK(f.run({"whoami"}).exit_code == 0);
  CHECK(f.broker.nexterm_passkeys(kDev)[0].sign_count == 0);

  auto list = f.run({"passkey", "list", "--json"});
  REQUIRE(list.exit_code == 0);
  CHECK(nlohmann::json::parse(list.out)["profile"] == profile);
  auto listed = nlohmann::json::parse(list.out)["passkeys"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["id"] == on_server[0].id);
  CHECK(listed[0]["name"] == "ci laptop");
  CHECK(listed[0]["key_file"] == file);
  CHECK(listed[0]["created_at"].is_string());
  auto table = f.run({"passkey", "list"});
  CHECK(contains(table.out, "ci laptop"));
  CHECK(contains(table.out, file));

  const std::string id = std::to_string(on_server[0].id);
  auto renamed = f.run({"passkey", "rename", id, "build box", "--json"});
  CHECK(renamed.exit_code == 0);
  CHECK(nlohmann::json::parse(renamed.out) ==
        nlohmann::json{{"profile", profile}, {"id", on_server[0].id}, {"name", "build box"}});
  CHECK(f.broker.nexterm_passkeys(kDev)[0].name == "build box");
  CHECK(f.run({"passkey", "rename", id, std::string(51, 'x')}).exit_code == 2);
  CHECK(f.run({"passkey", "rename", "999", "nope"}).exit_code == 1);

  // A second passkey, so that the removed one is unknown (305) rather than "no passkeys".
  auto second = f.run({"passkey", "add", "--name", "spare", "--json"});
  REQUIRE(second.exit_code == 0);
  auto removed = f.run({"passkey", "remove", id});
  REQUIRE(removed.exit_code == 0);
  CHECK(contains(removed.err, "Kept the key file " + file));
  CHECK(contains(removed.err, "passkey remove " + id + " --local"));
  CHECK(f.broker.nexterm_passkeys(kDev).size() == 1);
  CHECK(std::filesystem::exists(file));  // without --local the key file stays
  auto gone = f.passkey_login({"--passkey-file", file});
  CHECK(gone.exit_code == 4);
  CHECK(contains(gone.err, "does not know this passkey"));
  CHECK(contains(gone.err, "passkey add"));

  // --local: the server's passkey was already removed; the key file goes now.
  auto local = f.run({"passkey", "remove", id, "--local", "--json"});
  CHECK(local.exit_code == 0);
  auto local_out = nlohmann::json::parse(local.out);
  CHECK(local_out["removed_on_server"] == false);
  CHECK(local_out["removed_files"] == nlohmann::json::array({file}));
  CHECK(!std::filesystem::exists(file));
  CHECK(f.run({"passkey", "remove", "12345"}).exit_code == 1);

  // The last one removed on the server too: the user has no passkeys (304) -> exit 4.
  const std::string spare_file = nlohmann::json::parse(second.out)["key_file"];
  const std::string spare_id = std::to_string(int(nlohmann::json::parse(second.out)["id"]));
  REQUIRE(f.run({"passkey", "remove", spare_id}).exit_code == 0);
  auto none = f.passkey_login({"--passkey-file", spare_file});
  CHECK(none.exit_code == 4);
  CHECK(contains(none.err, "has no passkeys"));
}

TEST_CASE("two parallel logins with one read-only key file both succeed; signCount stays 0") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  auto add = f.run({"passkey", "add", "--json"});
  REQUIRE(add.exit_code == 0);
  // As CI hands it in: a copy, read-only, outside the config dir.
  const std::string secret = f.tmp.file("ci-passkey.json");
  write_file(secret, read_file(nlohmann::json::parse(add.out)["key_file"]), 0400);
  TempDir job1, job2;
  std::vector<Invocation> jobs;
  for (const TempDir* dir : {&job1, &job2}) {
    Invocation inv{{"login", "--passkey", "--print-token", "--no-store"}, {}, ""};
    inv.env["AUTHCTL_CONFIG_DIR"] = dir->path() + "/config";
    inv.env["AUTHCTL_PASSKEY_FILE"] = secret;
    jobs.push_back(inv);
  }
  auto results = run_parallel(jobs);
  for (const auto& r : results) {
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.size() == 97);  // a 96-hex session token and a newline
  }
  CHECK(results[0].out != results[1].out);
  CHECK(f.broker.nexterm_passkeys(kDev)[0].sign_count == 0);
  CHECK(mode_of(secret) == 0400);
  CHECK(read_file(secret) == read_file(nlohmann::json::parse(add.out)["key_file"]));  // untouched
  CHECK(!std::filesystem::exists(job1.path() + "/config/credentials.json"));

  // A key file others can read is refused, before any request.
  chmod(secret.c_str(), 0644);
  const int before = f.broker.count("/api/auth/passkey/options");
  auto open_file = f.passkey_login({"--passkey-file", secret});
  CHECK(open_file.exit_code == 1);
  CHECK(contains(open_file.err, "accessible to other users"));
  CHECK(f.broker.count("/api/auth/passkey/options") == before);
}

TEST_CASE("an encrypted key: the right passphrase logs in, a wrong one exits 4 with no request") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  write_file(f.tmp.file("phrase"), "correct horse battery staple\n");
  auto add = f.run({"passkey", "add", "--passphrase-file", f.tmp.file("phrase"), "--json"});
  REQUIRE_MESSAGE(add.exit_code == 0, add.err);
  CHECK(nlohmann::json::parse(add.out)["encrypted"] == true);
  const std::string file = nlohmann::json::parse(add.out)["key_file"];
  CHECK(contains(read_file(file), "BEGIN ENCRYPTED PRIVATE KEY"));
  REQUIRE(f.run({"logout"}).exit_code == 0);

  auto wrong = f.passkey_login({}, {{"AUTHCTL_PASSKEY_PASSPHRASE", "Tr0ub4dor&3"}});
  CHECK(wrong.exit_code == 4);
  CHECK(contains(wrong.err, "wrong passphrase"));
  auto missing = f.passkey_login();  // no passphrase and no terminal
  CHECK(missing.exit_code == 4);
  CHECK(contains(missing.err, "--passphrase-file"));
  CHECK(f.broker.count("/api/auth/passkey/options") == 0);
  CHECK(f.broker.count("/api/auth/passkey/verify") == 0);

  auto right = f.passkey_login({"--passphrase-file", f.tmp.file("phrase")});
  CHECK_MESSAGE(right.exit_code == 0, right.err);
  auto by_env =
      f.passkey_login({}, {{"AUTHCTL_PASSKEY_PASSPHRASE", "correct horse battery staple"}});
  CHECK(by_env.exit_code == 0);
}

TEST_CASE("which key file: one match by host and user, several -> exit 2, none -> exit 4") {
  PasskeyFixture f;
  auto none = f.passkey_login();
  CHECK(none.exit_code == 4);
  CHECK(contains(none.err, "no passkey key file on this machine for " + f.broker.url()));
  CHECK(contains(none.err, "passkey add"));

  REQUIRE(f.login_dev().exit_code == 0);
  REQUIRE(f.run({"passkey", "add", "--name", "one"}).exit_code == 0);
  REQUIRE(f.login().exit_code == 0);  // admin
  REQUIRE(f.run({"passkey", "add", "--name", "two"}).exit_code == 0);
  REQUIRE(f.key_files().size() == 2);

  auto both = f.passkey_login();
  CHECK(both.exit_code == 2);
  CHECK(contains(both.err, "choose one with --passkey-file FILE, or give -u USER"));
  CHECK(!contains(both.err, "--host"));  // both are for this host: it would not help
  for (const auto& file : f.key_files()) CHECK(contains(both.err, file));
  CHECK(f.broker.count("/api/auth/passkey/options") == 0);
  auto dev = f.passkey_login({"-u", kDev});
  CHECK_MESSAGE(dev.exit_code == 0, dev.err);
  CHECK(contains(dev.err, "as dev"));
  // Without --host the file names its server.
  auto admin = f.run({"login", "--passkey", "-u", kAdmin});
  CHECK_MESSAGE(admin.exit_code == 0, admin.err);
  CHECK(f.passkey_login({"-u", "nobody"}).exit_code == 4);
  CHECK(f.run({"login", "--passkey", "--host", "http://127.0.0.1:1"}).exit_code == 4);
}

TEST_CASE("a stale challenge (301) is retried once with fresh options, then exit 4") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  REQUIRE(f.run({"passkey", "add"}).exit_code == 0);
  f.broker.set_latency_ms(300);
  // Each verify that arrives finds the broker clock moved past the challenge's 5 minutes.
  auto expire_challenges = [&](int verifies) {
    return std::thread([&f, verifies] {
      for (int seen = 0; seen < verifies;) {
        if (f.broker.count("/api/auth/passkey/verify") > seen) {
          f.broker.advance_clock(301);
          ++seen;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  };
  std::thread once = expire_challenges(1);
  auto retried = f.passkey_login({"--print-token", "--no-store"});
  once.join();
  CHECK_MESSAGE(retried.exit_code == 0, retried.err);
  CHECK(f.broker.count("/api/auth/passkey/options") == 2);
  CHECK(f.broker.count("/api/auth/passkey/verify") == 2);

  std::thread twice = expire_challenges(4);  // this run's two verifies (counts 3 and 4)
  auto refused = f.passkey_login({"--print-token", "--no-store"});
  twice.join();
  CHECK(refused.exit_code == 4);
  CHECK(contains(refused.err, "refused the login challenge twice"));
  CHECK(f.broker.count("/api/auth/passkey/verify") == 4);
}

TEST_CASE("passkey add: the server's refusals (302, 303) exit 1 with its message; key removed") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  f.broker.inject_answer("/api/accounts/passkeys/register/verify", 200,
                         R"({"code":302,"message":"Attestation could not be verified"})");
  auto attestation = f.run({"passkey", "add"});
  CHECK(attestation.exit_code == 1);
  CHECK(contains(attestation.err, "could not verify the new passkey's attestation"));
  f.broker.inject_answer("/api/accounts/passkeys/register/verify", 200,
                         R"({"code":303,"message":"Validation error"})");
  auto rejected = f.run({"passkey", "add"});
  CHECK(rejected.exit_code == 1);
  CHECK(contains(rejected.err, "rejected the new passkey (server: Validation error)"));
  CHECK(f.key_files().empty());
  // 309: a non-integer id, as the server answers it.
  f.broker.inject_answer("/api/accounts/passkeys/7", 400,
                         R"({"code":309,"message":"Invalid passkey id"})");
  CHECK(f.run({"passkey", "remove", "7"}).exit_code == 1);
}

TEST_CASE(
    "passkey add and Ctrl-C: before the key exists nothing is left; during the "
    "registration it completes and keeps its key") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  f.broker.set_latency_ms(800);
  {
    Process early(f.invocation({"passkey", "add"}));
    REQUIRE(
        wait_until([&] { return f.broker.count("/api/accounts/passkeys/register/options") > 0; }));
    early.signal(SIGINT);
    CHECK(early.wait().exit_code == 130);
    CHECK(f.key_files().empty());
  }
  {
    Process late(f.invocation({"passkey", "add", "--json"}));
    REQUIRE(
        wait_until([&] { return f.broker.count("/api/accounts/passkeys/register/verify") > 0; }));
    REQUIRE(f.key_files().size() == 1);
    late.signal(SIGINT);
    auto r = late.wait();
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    REQUIRE(f.broker.nexterm_passkeys(kDev).size() == 1);
    REQUIRE(f.key_files().size() == 1);
    CHECK(nlohmann::json::parse(read_file(f.key_files()[0]))["rowId"] ==
          f.broker.nexterm_passkeys(kDev)[0].id);
  }
}

TEST_CASE(
    "passkey add: an answer lost in registration; the list then decides, or the file "
    "stays with a warning") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  // The verify never answers in time and the server did not register: the list says so.
  f.broker.inject_fault("/api/accounts/passkeys/register/verify", testbroker::Fault::slow_body);
  auto lost = f.run({"passkey", "add", "--timeout", "1"});
  CHECK(lost.exit_code == 3);
  CHECK(f.key_files().empty());
  // And when the list cannot be had either, nobody can tell: the key file stays.
  f.broker.inject_fault("/api/accounts/passkeys/register/verify", testbroker::Fault::slow_body);
  std::thread break_list([&f] {
    wait_until([&] { return f.broker.count("/api/accounts/passkeys/register/options") > 1; });
    f.broker.inject_fault("/api/accounts/passkeys", testbroker::Fault::service_unavailable);
  });
  auto unknown = f.run({"passkey", "add", "--timeout", "1"});
  break_list.join();
  CHECK(unknown.exit_code == 3);
  CHECK(contains(unknown.err, "could not tell whether"));
  CHECK(f.key_files().size() == 1);
}

TEST_CASE("passkey add: a stale registration challenge (301) is retried once") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  f.broker.set_latency_ms(300);
  std::thread expire([&f] {
    while (f.broker.count("/api/accounts/passkeys/register/verify") < 1)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    f.broker.advance_clock(301);
  });
  auto add = f.run({"passkey", "add", "--json"});
  expire.join();
  CHECK_MESSAGE(add.exit_code == 0, add.err);
  CHECK(f.broker.count("/api/accounts/passkeys/register/options") == 2);
  CHECK(f.broker.count("/api/accounts/passkeys/register/verify") == 2);
  REQUIRE(f.broker.nexterm_passkeys(kDev).size() == 1);
  CHECK(f.key_files().size() == 1);
  CHECK(nlohmann::json::parse(add.out)["id"] == f.broker.nexterm_passkeys(kDev)[0].id);
}

TEST_CASE("passkey login errors: bad signature, counter rule, rate limit, server down") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  auto add = f.run({"passkey", "add", "--json"});
  REQUIRE(add.exit_code == 0);
  const std::string file = nlohmann::json::parse(add.out)["key_file"];
  const int id = nlohmann::json::parse(add.out)["id"];

  SUBCASE("another key in the file: the signature does not verify (306) -> exit 4") {
    auto doc = nlohmann::json::parse(read_file(file));
    const std::string other = f.tmp.file("other.json");
    // A second key made by authctl itself, then swapped into a copy of the first file.
    REQUIRE(f.run({"passkey", "add", "--name", "other", "--json"}).exit_code == 0);
    for (const auto& k : f.key_files()) {
      auto d = nlohmann::json::parse(read_file(k));
      if (d["credentialId"] != doc["credentialId"]) doc["privateKey"] = d["privateKey"];
    }
    write_file(other, doc.dump());
    auto r = f.passkey_login({"--passkey-file", other});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "could not verify the passkey's signature"));
  }
  SUBCASE("the server holds a higher counter (307, its message passed through) -> exit 4") {
    REQUIRE(f.broker.nexterm_set_passkey_sign_count(id, 5));
    auto r = f.passkey_login();
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "passkey login rejected by"));
  }
  SUBCASE("the shared auth limiter: password attempts use it up, the passkey login gets 429") {
    for (int i = 0; i < 20; ++i)
      f.run({"login", "--host", f.broker.url(), "-u", kDev, "--password-stdin"}, {}, "wrong\n");
    auto r = f.passkey_login();
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "rate limiting"));
  }
  SUBCASE("server down -> exit 3") {
    const std::string url = f.broker.url();
    f.broker.stop();
    CHECK(f.run({"login", "--passkey", "--host", url}).exit_code == 3);
  }
  SUBCASE("a damaged key file -> exit 1, no request") {
    write_file(f.tmp.file("bad.json"), "{\"origin\":1}");
    auto r = f.passkey_login({"--passkey-file", f.tmp.file("bad.json")});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "is not valid"));
    CHECK(f.broker.count("/api/auth/passkey/options") == 0);
  }
}

TEST_CASE("passkey add: the key file is removed when registration fails; usage errors") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  f.broker.inject_fault("/api/accounts/passkeys/register/verify",
                        testbroker::Fault::service_unavailable);
  auto failed = f.run({"passkey", "add"});
  CHECK(failed.exit_code == 1);
  CHECK(contains(failed.err, "503"));
  CHECK(f.key_files().empty());
  CHECK(f.broker.nexterm_passkeys(kDev).empty());

  CHECK(f.run({"passkey", "add", "--name", std::string(51, 'n')}).exit_code == 2);
  CHECK(f.run({"passkey", "add", "--name", ""}).exit_code == 2);
  CHECK(f.run({"login", "--passkey", "--password-file", f.totp_file}).exit_code == 2);
  CHECK(f.run({"login", "--passkey", "--totp-code", "123456"}).exit_code == 2);
  CHECK(f.run({"login", "--qr", "--host", f.broker.url(), "--password-stdin"}).exit_code == 2);
  auto empty = f.run({"passkey"});
  CHECK(empty.exit_code == 2);
  CHECK(
      contains(empty.err, "authctl: passkey needs a subcommand: use add, list, rename or remove"));
  auto not_id = f.run({"passkey", "rename", "abc", "x"});
  CHECK(not_id.exit_code == 2);
  CHECK(contains(not_id.err, "'abc' is not a valid id: see authctl passkey rename --help"));
  CHECK(f.run({"login", "--passkey", "--with-token", "--host", f.broker.url()}).exit_code == 2);
  CHECK(f.run({"login", "--passkey-file", "x", "--host", f.broker.url()}).exit_code == 2);

  // An API key alone may register a passkey (the spec's warning).
  auto key = f.run({"apikey", "create", "ci", "--json"});
  REQUIRE(key.exit_code == 0);
  TempDir other;
  std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", other.path() + "/config"}};
  REQUIRE(f.run({"login", "--host", f.broker.url(), "--with-token"}, env,
                std::string(nlohmann::json::parse(key.out)["token"]) + "\n")
              .exit_code == 0);
  CHECK(f.run({"passkey", "add", "--name", "via key"}, env).exit_code == 0);
  CHECK(f.broker.nexterm_passkeys(kDev).size() == 1);
}

TEST_CASE("passkey commands refuse a Neuron profile; -v shows no session token") {
  PasskeyFixture f;
  REQUIRE(f.login_dev().exit_code == 0);
  REQUIRE(f.run({"passkey", "add"}).exit_code == 0);
  auto traced = f.passkey_login({"-v"});
  REQUIRE(traced.exit_code == 0);
  const std::string token = f.store()["profiles"][f.profile()]["token"];
  CHECK(contains(traced.err, "/api/auth/passkey/verify"));
  CHECK(!contains(traced.err, token));

  NeuronFixture neuron;
  REQUIRE(neuron.login().exit_code == 0);
  auto r = neuron.run({"passkey", "list"});
  CHECK(r.exit_code == 2);
  CHECK(neuron.run({"login", "--passkey", "--kind", "neuron", "--host", neuron.broker.url()})
            .exit_code == 2);
}
