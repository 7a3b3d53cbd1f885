#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "store/credentials.hpp"
#include "test_util.hpp"

using namespace authctl;
using namespace authctl::store;
using namespace test_util;

namespace {
Profile sample(const std::string& user) {
  Profile p;
  p.kind = "neuron";
  p.url = "https://neuron.example.com";
  p.user = user;
  p.token = "tok-" + user;
  p.expires = 1795346531;
  p.seconds = 600;
  p.clock_offset = -3;
  return p;
}

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  FAIL("expected an authctl::Error");
  return {};
}
}  // namespace

TEST_CASE("a missing store reads as empty; the first update creates folder 0700 and file 0600") {
  TempDir tmp;
  Store store(tmp.path() + "/a/b/authctl");
  CHECK(store.load().profiles.empty());
  store.update([](Credentials& c) {
    c.profiles["alice@x"] = sample("alice");
    c.current = "alice@x";
    return true;
  });
  CHECK(mode_of(store.dir()) == 0700);
  CHECK(mode_of(store.credentials_path()) == 0600);
  auto c = store.load();
  REQUIRE(c.find("alice@x"));
  CHECK(c.current == "alice@x");
  CHECK(c.find("alice@x")->token == "tok-alice");
  CHECK(c.find("alice@x")->expires == 1795346531);
  CHECK(c.find("alice@x")->clock_offset == -3);
  auto doc = nlohmann::json::parse(slurp(store.credentials_path()));
  CHECK(doc["version"] == 1);
}

TEST_CASE("fields from a later version survive a round trip") {
  TempDir tmp;
  Store store(tmp.path());
  chmod(tmp.path().c_str(), 0700);
  spit(store.credentials_path(),
       R"({"version":1,"current":"p","profiles":{"p":{"kind":"neuron","url":"https://h",)"
       R"("user":"u","token":"t","expires":null,"future":{"x":1}}}})");
  store.update([](Credentials& c) {
    c.profiles["p"].user = "v";
    return true;
  });
  auto doc = nlohmann::json::parse(slurp(store.credentials_path()));
  CHECK(doc["profiles"]["p"]["future"]["x"] == 1);
  CHECK(doc["profiles"]["p"]["user"] == "v");
  CHECK(doc["profiles"]["p"]["expires"].is_null());
}

TEST_CASE("a corrupt store is reported with its path and left byte-for-byte unchanged") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  for (std::string bad : {std::string("{\"version\":1,\"profiles\":{"), std::string("[]"),
                          std::string("{\"version\":1,\"profiles\":{\"p\":{\"kind\":1}}}"),
                          std::string("\x00\x01garbage", 9)}) {
    spit(store.credentials_path(), bad);
    std::string msg = expect_error([&] { store.load(); });
    CHECK(msg.find(store.credentials_path()) != std::string::npos);
    CHECK(msg.find("corrupt") != std::string::npos);
    expect_error([&] { store.update([](Credentials&) { return true; }); });
    CHECK(slurp(store.credentials_path()) == bad);
  }
}

TEST_CASE("a store from a newer authctl is not overwritten") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  std::string newer = R"({"version":2,"profiles":{}})";
  spit(store.credentials_path(), newer);
  CHECK(expect_error([&] {
          store.update([](Credentials&) { return true; });
        }).find("upgrade authctl") != std::string::npos);
  CHECK(slurp(store.credentials_path()) == newer);
}

TEST_CASE("stores open to others are refused with the chmod fix") {
  TempDir tmp;
  Store store(tmp.path());
  chmod(tmp.path().c_str(), 0755);
  CHECK(expect_error([&] { store.load(); }).find("chmod 700") != std::string::npos);
  chmod(tmp.path().c_str(), 0700);
  store.update([](Credentials& c) {
    c.profiles["p"] = sample("p");
    return true;
  });
  chmod(store.credentials_path().c_str(), 0644);
  CHECK(expect_error([&] { store.load(); }).find("chmod 600") != std::string::npos);
  chmod(store.credentials_path().c_str(), 0600);
  chmod(store.lock_path().c_str(), 0666);
  CHECK(expect_error([&] { store.update([](Credentials&) { return true; }); }).find("chmod 600") !=
        std::string::npos);
}

TEST_CASE("stores reached through a symlink are refused") {
  TempDir tmp;
  std::string real = tmp.path() + "/real", link = tmp.path() + "/link";
  mkdir(real.c_str(), 0700);
  symlink(real.c_str(), link.c_str());
  CHECK(expect_error([&] { Store(link).load(); }).find("symbolic link") != std::string::npos);
  CHECK(expect_error([&] {
          Store(link).update([](Credentials&) { return true; });
        }).find("symbolic link") != std::string::npos);
  // and the file itself
  std::string elsewhere = tmp.path() + "/elsewhere.json";
  spit(elsewhere, R"({"version":1,"profiles":{}})");
  symlink(elsewhere.c_str(), (real + "/credentials.json").c_str());
  CHECK(expect_error([&] { Store(real).load(); }).find("symbolic link") != std::string::npos);
}

TEST_CASE("stores owned by another user are refused") {
  if (geteuid() != 0) return;  // only root can make a file of another user here
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  spit(store.credentials_path(), R"({"version":1,"profiles":{}})");
  REQUIRE(chown(store.credentials_path().c_str(), 65534, 65534) == 0);
  CHECK(expect_error([&] { store.load(); }).find("owned by another user") != std::string::npos);
}

TEST_CASE("concurrent updates from many processes lose nothing") {
  TempDir tmp;
  Store store(tmp.path() + "/s");
  std::vector<pid_t> kids;
  for (int i = 0; i < 8; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      try {
        for (int k = 0; k < 5; ++k) {
          Store(tmp.path() + "/s").update([&](Credentials& c) {
            c.profiles["p" + std::to_string(i) + "-" + std::to_string(k)] = sample("u");
            return true;
          });
        }
        _exit(0);
      } catch (...) {
        _exit(1);
      }
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(store.load().profiles.size() == 40);
}

TEST_CASE("a field of the wrong type is corruption, not something to repair") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  const std::string doc =
      R"({"version":1,"profiles":{"p":{"kind":"neuron","url":"https://h","user":"u",)"
      R"("token":"t","expires":1,"seconds":"x"}}})";
  spit(store.credentials_path(), doc);
  CHECK(expect_error([&] {
          store.update([](Credentials&) { return true; });
        }).find("\"seconds\"") != std::string::npos);
  CHECK(slurp(store.credentials_path()) == doc);
}
