// A hand-edited or swapped store (issue 9, points 3, 5 and 9): deep JSON is a corrupt store
// left untouched; profiles with tokens, urls or cookies outside their alphabets are reported
// once and skipped while the others work; FIFOs where files should be are errors at once;
// user-named secret files may be symlinks; a remembered CA file must be safe; the lock
// timeout is range-checked; temp files of a killed write are cleaned up.
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "fixture.hpp"

using namespace e2e;

namespace {

// A well-formed JWT for profiles written by hand (the fast path never checks signatures).
const char* kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";

// Runs authctl under timeout(1): a hang is exit 137 (SIGKILL), never a blocked test.
Result run_bounded(const NeuronFixture& f, std::vector<std::string> args,
                   std::map<std::string, std::string> extra = {}, int seconds = 10) {
  std::vector<std::string> full{"-s", "KILL", std::to_string(seconds), authctl_binary()};
  full.insert(full.end(), args.begin(), args.end());
  std::map<std::string, std::string> env = f.env;
  for (auto& [k, v] : extra) env[k] = v;
  return run_program("/usr/bin/timeout", full, env);
}

nlohmann::json profile(const std::string& url, const std::string& token) {
  return {{"kind", "neuron"},
          {"url", url},
          {"user", "u"},
          {"token", token},
          {"expires", time(nullptr) + 3600},
          {"seconds", 3600},
          {"clock_offset", 0}};
}

// The fixture's login, then unusable profiles added by hand next to it.
struct HostileStore : NeuronFixture {
  std::string good;
  HostileStore() {
    REQUIRE(login().exit_code == 0);
    good = profile_name();
    nlohmann::json doc = store();
    doc["profiles"]["bad-token"] = profile(broker.url(), "abc\r\nX-Evil: 1");
    doc["profiles"]["bad-user-url"] = profile("https://user@evil.example", kJwt);
    doc["profiles"]["bad-path-url"] = profile("https://evil.example/steal", kJwt);
    nlohmann::json cookie = profile(broker.url(), kJwt);
    cookie["remote_cookies"] = {{"https://r.example", "x\r\nSet-Cookie: y"}};
    doc["profiles"]["bad-cookie"] = cookie;
    write_file(store_path(), doc.dump(2));
  }
};

}  // namespace

TEST_CASE("credentials.json nested 100,000 deep: status and token exit 1, file unchanged") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string deep = R"({"version":1,"profiles":{},"current":null,"x":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  write_file(f.store_path(), deep);
  for (auto args : std::vector<std::vector<std::string>>{
           {"status"}, {"token"}, {"-p", f.profile_name(), "token"}, {"status", "--json"}}) {
    auto r = run_bounded(f, args);
    CHECK_MESSAGE(r.exit_code == 1, r.err);
    CHECK(contains(r.err, "corrupt"));
    CHECK(contains(r.err, "deeper than 64"));
    CHECK(r.out.empty());
  }
  CHECK(f.login().exit_code == 1);  // a write never replaces it either
  CHECK(read_file(f.store_path()) == deep);
}

TEST_CASE("unusable profiles: one warning each, the others work, logout --local removes one") {
  HostileStore f;
  // The launcher's fast path serves the good profile's cache hit.
  auto good = f.run({"-p", f.good, "token"});
  CHECK(good.exit_code == 0);
  CHECK(good.out == f.store()["profiles"][f.good]["token"].get<std::string>() + "\n");
  // A bad one is never printed: the fast path hands over to the app, which refuses it.
  auto bad = f.run({"-p", "bad-token", "token"});
  CHECK(bad.exit_code != 0);
  CHECK_FALSE(contains(bad.out, "X-Evil"));
  CHECK(count_of(bad.err, "profile bad-token in " + f.store_path() +
                              " is unusable (its token is not a JWT); remove it with authctl "
                              "logout --local -p bad-token") == 1);
  for (const char* name : {"bad-user-url", "bad-path-url", "bad-cookie"}) {
    CHECK(count_of(bad.err, std::string("profile ") + name + " in ") == 1);
    auto r = f.run({"-p", name, "token"});
    CHECK(r.exit_code != 0);
    CHECK(r.out.empty());
  }
  CHECK(contains(bad.err, "bad-user-url in " + f.store_path() + " is unusable (its url"));
  CHECK(contains(bad.err, "bad-cookie in " + f.store_path() + " is unusable (a remembered"));
  // A refresh of the good profile (a write under the lock) keeps the others' JSON as it was.
  const nlohmann::json before = f.store();
  auto refreshed = f.run({"-p", f.good, "refresh"});
  CHECK_MESSAGE(refreshed.exit_code == 0, refreshed.err);
  for (const char* name : {"bad-token", "bad-user-url", "bad-path-url", "bad-cookie"})
    CHECK(f.store()["profiles"][name] == before["profiles"][name]);
  // logout --local -p NAME forgets one, and only it.
  auto out = f.run({"logout", "--local", "-p", "bad-token"});
  CHECK_MESSAGE(out.exit_code == 0, out.err);
  CHECK_FALSE(f.store()["profiles"].contains("bad-token"));
  CHECK(f.store()["profiles"].contains("bad-cookie"));
  CHECK(f.store()["profiles"].contains(f.good));
  // Without --local a bad profile is not sent to any server.
  auto remote = f.run({"logout", "-p", "bad-user-url"});
  CHECK(remote.exit_code == 1);
  CHECK(contains(remote.err, "logout --local -p bad-user-url"));
  CHECK(f.store()["profiles"].contains("bad-user-url"));
  // logout --local --all forgets the rest, usable or not.
  auto all = f.run({"logout", "--local", "--all"});
  CHECK_MESSAGE(all.exit_code == 0, all.err);
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("a FIFO as credentials.json, credentials.lock or --password-file: an error at once") {
  NeuronFixture f;
  REQUIRE(mkdir(f.config_dir().c_str(), 0700) == 0);
  REQUIRE(mkfifo(f.store_path().c_str(), 0600) == 0);
  for (const char* command : {"status", "token", "whoami"}) {
    auto r = run_bounded(f, {command});
    CHECK_MESSAGE(r.exit_code == 1, command << ": " << r.err);
    CHECK(contains(r.err, "FIFO"));
  }
  CHECK(run_bounded(f, {"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"})
            .exit_code == 1);
  unlink(f.store_path().c_str());

  const std::string lock = f.config_dir() + "/credentials.lock";
  unlink(lock.c_str());  // made by the login above
  REQUIRE(mkfifo(lock.c_str(), 0600) == 0);
  const std::string password_file = f.tmp.file("password");
  write_file(password_file, std::string(kPassword) + "\n");
  auto locked = run_bounded(
      f, {"login", "--host", f.broker.url(), "-u", kUser, "--password-file", password_file});
  CHECK(locked.exit_code == 1);
  CHECK(contains(locked.err, lock));
  CHECK(contains(locked.err, "FIFO"));
  unlink(lock.c_str());

  const std::string fifo = f.tmp.file("password-fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto piped =
      run_bounded(f, {"login", "--host", f.broker.url(), "-u", kUser, "--password-file", fifo});
  CHECK(piped.exit_code == 1);
  CHECK(contains(piped.err, "FIFO"));
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  // A folder where the store should be is named as one too.
  REQUIRE(mkdir(f.store_path().c_str(), 0700) == 0);
  auto folder = run_bounded(f, {"status"});
  CHECK(folder.exit_code == 1);
  CHECK(contains(folder.err, "folder"));
}

TEST_CASE("a --password-file reached through a symlink works (CI secret mounts)") {
  NeuronFixture f;
  const std::string real = f.tmp.file("secret-volume-password");
  write_file(real, std::string(kPassword) + "\n");
  const std::string link = f.tmp.file("password");
  REQUIRE(symlink(real.c_str(), link.c_str()) == 0);
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-file", link});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(f.store()["profiles"].contains(f.profile_name()));
}

TEST_CASE("a remembered --cacert that others can change is refused at each use") {
  NeuronFixture f;
  const std::string ca = f.tmp.file("ca.pem");
  write_file(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", 0644);
  REQUIRE(f.login({"--cacert", ca}).exit_code == 0);
  REQUIRE(f.store()["profiles"][f.profile_name()]["cacert"] == ca);
  CHECK(f.run({"whoami"}).exit_code == 0);  // 0644: fine
  chmod(ca.c_str(), 0664);
  auto r = f.run({"whoami"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, ca));
  CHECK(contains(r.err, "chmod go-w"));
  chmod(ca.c_str(), 0644);
  unlink(ca.c_str());
  REQUIRE(mkfifo(ca.c_str(), 0600) == 0);
  auto fifo = run_bounded(f, {"refresh"});
  CHECK(fifo.exit_code == 1);
  CHECK(contains(fifo.err, "FIFO"));
}

TEST_CASE("AUTHCTL_LOCK_TIMEOUT outside 1s..1h is a usage error") {
  NeuronFixture f;
  for (const char* value : {"0", "0s", "2h", "3601"}) {
    auto r = f.run({"status"}, {{"AUTHCTL_LOCK_TIMEOUT", value}});
    CHECK_MESSAGE(r.exit_code == 2, value);
    CHECK(contains(r.err, "AUTHCTL_LOCK_TIMEOUT"));
  }
  for (const char* value : {"1", "1h", "30"})
    CHECK_MESSAGE(f.run({"status"}, {{"AUTHCTL_LOCK_TIMEOUT", value}}).exit_code != 2, value);
}

TEST_CASE("a temp file left by a killed write is removed by the next login, under the lock") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string stale = f.config_dir() + "/credentials.json.tmp.K1ll3d";
  const std::string other = f.config_dir() + "/credentials.json.bak";
  write_file(stale, R"({"version":1,"profiles":{"half)");
  write_file(other, "the user's own");
  CHECK(f.run({"status"}).exit_code == 0);
  CHECK(std::filesystem::exists(stale));  // a reader removes nothing
  REQUIRE(f.login().exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(read_file(other) == "the user's own");
}
