// Passkeys against a hostile server or key file (issue 9, points 3, 8 and 9): a challenge
// for another site's rpId is never signed, a registration for another site is never kept,
// an unencrypted key is named as such, a key file asking for a huge PBKDF2 count is refused
// before any derivation, and FIFOs or deep JSON where key files should be are errors at once.
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "hostile.hpp"
#include "nexterm_fixture.hpp"
#include "pkcs8_fixture.hpp"

using namespace e2e;

namespace {

const char* kDev = "dev";
const char* kDevPassword = "Dev-pass-w0rd";

struct Fixture : NextermFixture {
  Fixture() { broker.add_nexterm_account(kDev, kDevPassword, false, false); }
  std::string passkeys_dir() const { return tmp.path() + "/config/passkeys"; }
  std::vector<std::string> key_files() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(passkeys_dir(), ec))
      out.push_back(e.path().string());
    return out;
  }
  // Runs authctl under timeout(1): a hang is exit 137, never a blocked test.
  Result run_bounded(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> full{"-s", "KILL", "10", authctl_binary()};
    full.insert(full.end(), args.begin(), args.end());
    std::map<std::string, std::string> all = env;
    for (auto& [k, v] : extra) all[k] = v;
    return run_program("/usr/bin/timeout", full, all);
  }
  // A key file named by the user, for this broker, holding `pem`.
  std::string key_file(const std::string& pem) {
    const std::string path = tmp.file("key.json");
    write_file(path, nlohmann::json{{"version", 1},
                                    {"origin", broker.url()},
                                    {"rpId", "127.0.0.1"},
                                    {"credentialId", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                                    {"rowId", 1},
                                    {"user", kDev},
                                    {"serverUrl", broker.url()},
                                    {"privateKey", pem}}
                         .dump());
    return path;
  }
};

}  // namespace

TEST_CASE(
    "passkey add without a passphrase says the key is unencrypted; login repeats it "
    "only on a terminal") {
  Fixture f;
  REQUIRE(f.login(kDev, kDevPassword).exit_code == 0);
  auto add = f.run({"passkey", "add", "--name", "plain"});
  REQUIRE_MESSAGE(add.exit_code == 0, add.err);
  CHECK(contains(add.err, "warning: the private key is stored UNENCRYPTED in "));
  CHECK(contains(add.err, "--passphrase-file"));
  REQUIRE(f.run({"logout"}).exit_code == 0);
  auto login = f.run({"login", "--passkey", "--host", f.broker.url()});
  CHECK_MESSAGE(login.exit_code == 0, login.err);
  CHECK_FALSE(contains(login.err, "not encrypted"));  // no terminal here: said once at add
  // On a terminal (script(1) gives authctl a pty) the login says it again.
  auto on_tty = run_program(
      "/usr/bin/script",
      {"-qec", authctl_binary() + " login --passkey --host " + f.broker.url(), "/dev/null"}, f.env);
  CHECK_MESSAGE(on_tty.exit_code == 0, on_tty.out);
  CHECK(contains(on_tty.out, "is not encrypted: anyone who can read that file can log in as dev"));
}

TEST_CASE("login --passkey: a challenge for another rpId exits 4 and nothing is signed") {
  Fixture f;
  REQUIRE(f.login(kDev, kDevPassword).exit_code == 0);
  REQUIRE(f.run({"passkey", "add", "--name", "k"}).exit_code == 0);
  REQUIRE(f.run({"logout"}).exit_code == 0);
  testbroker::HostileAnswer evil;
  evil.set = {{"/rpId", "\"evil.example\""}};
  f.broker.inject_hostile("/api/auth/passkey/options", evil);
  f.broker.reset_counters();
  auto r = f.run({"login", "--passkey", "--host", f.broker.url()});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "evil.example"));
  CHECK(f.broker.count("/api/auth/passkey/options") == 1);
  CHECK(f.broker.count("/api/auth/passkey/verify") == 0);
  const bool stored = std::filesystem::exists(f.store_path()) &&
                      f.store()["profiles"].contains(std::string(kDev) + "@" + f.host());
  CHECK_FALSE(stored);
}

TEST_CASE("passkey add: rp.id other than the server's host is refused (exit 1), nothing kept") {
  Fixture f;
  REQUIRE(f.login(kDev, kDevPassword).exit_code == 0);
  testbroker::HostileAnswer evil;
  evil.set = {{"/rp/id", "\"evil.example\""}};
  f.broker.inject_hostile("/api/accounts/passkeys/register/options", evil);
  f.broker.reset_counters();
  auto r = f.run({"passkey", "add", "--name", "phish"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "\"rp.id\" is \"evil.example\""));
  CHECK(f.broker.count("/api/accounts/passkeys/register/verify") == 0);
  CHECK(f.key_files().empty());
}

TEST_CASE("a key file asking for more than 10^7 PBKDF2 iterations is refused at once") {
  Fixture f;
  const std::string file = f.key_file(pem_asking_for_iterations(2000000000));
  const auto start = std::chrono::steady_clock::now();
  auto r = f.run_bounded({"login", "--passkey", "--passkey-file", file},
                         {{"AUTHCTL_PASSKEY_PASSPHRASE", "anything"}});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "10,000,000"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(f.broker.count("/api/auth/passkey/options") == 0);
}

TEST_CASE("FIFOs and deep JSON where key files should be: errors at once, never a hang") {
  Fixture f;
  const std::string fifo = f.tmp.file("key-fifo.json");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto named = f.run_bounded({"login", "--passkey", "--passkey-file", fifo});
  CHECK(named.exit_code == 1);
  CHECK(contains(named.err, "FIFO"));

  REQUIRE(mkdir((f.tmp.path() + "/config").c_str(), 0700) == 0);
  REQUIRE(mkdir(f.passkeys_dir().c_str(), 0700) == 0);
  REQUIRE(mkfifo((f.passkeys_dir() + "/dev@127.0.0.1-AAAA.json").c_str(), 0600) == 0);
  auto in_dir = f.run_bounded({"login", "--passkey", "--host", f.broker.url()});
  CHECK(in_dir.exit_code == 4);
  CHECK(contains(in_dir.err, "FIFO"));

  const std::string deep = f.tmp.file("deep.json");
  // 1,000 levels: under the 64 KiB size cap of a key file, far over the depth bound.
  write_file(deep, "{\"origin\":" + std::string(1000, '[') + std::string(1000, ']') + "}");
  auto r = f.run_bounded({"login", "--passkey", "--passkey-file", deep});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "deeper than 64"));
  CHECK(f.broker.count("/api/auth/passkey/options") == 0);
}

TEST_CASE("passkey list shows a hostile passkey name escaped; --json keeps it exact") {
  Fixture f;
  REQUIRE(f.login(kDev, kDevPassword).exit_code == 0);
  REQUIRE(f.run({"passkey", "add", "--name", "laptop"}).exit_code == 0);
  testbroker::HostileAnswer edit;
  edit.set = {{"/0/name", R"("\u001b]0;owned\u0007\r\u001b[2Klaptop\u009b")"}};
  f.broker.inject_hostile("/api/accounts/passkeys", edit);
  auto list = f.run({"passkey", "list"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  CHECK(terminal_safe(list.out));
  CHECK(terminal_safe(list.err));
  CHECK(contains(list.out, "\\x1b]0;owned\\x07\\r\\x1b[2Klaptop\\u009b"));
  edit.set = {{"/0/name", R"("\u001b[2J")"}};
  f.broker.inject_hostile("/api/accounts/passkeys", edit);
  auto json = f.run({"passkey", "list", "--json"});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  CHECK(nlohmann::json::parse(json.out)["passkeys"][0]["name"] == "\x1b[2J");
}
