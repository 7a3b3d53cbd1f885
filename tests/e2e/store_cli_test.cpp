// The credential store through the real binary: unsafe and corrupt stores, folders, locks.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.hpp"

using namespace e2e;

TEST_CASE("a corrupt store: clear error naming the file, left byte-for-byte unchanged") {
  NeuronFixture f;
  mkdir(f.config_dir().c_str(), 0700);
  const std::string garbage = "{\"version\":1,\"profiles\":{\"x\":";
  write_file(f.store_path(), garbage);
  for (auto args : std::vector<std::vector<std::string>>{{"status"}, {"token"}, {"switch", "x"}}) {
    auto r = f.run(args);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, f.store_path()));
    CHECK(contains(r.err, "corrupt"));
  }
  auto r = f.login();
  CHECK(r.exit_code == 1);
  CHECK(read_file(f.store_path()) == garbage);
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
}

TEST_CASE("a store readable by others is refused, with the fix") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  chmod(f.store_path().c_str(), 0644);
  auto r = f.run({"token"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "chmod 600"));
  chmod(f.store_path().c_str(), 0600);
  chmod(f.config_dir().c_str(), 0750);
  auto d = f.run({"token"});
  CHECK(d.exit_code == 1);
  CHECK(contains(d.err, "chmod 700"));
}

TEST_CASE("a store behind a symlink is refused") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  std::string link = f.tmp.path() + "/linked";
  symlink(f.config_dir().c_str(), link.c_str());
  auto r = f.run({"token"}, {{"AUTHCTL_CONFIG_DIR", link}});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "symbolic link"));
}

TEST_CASE("a store owned by another user is refused") {
  if (geteuid() != 0) return;  // only root can give a file away
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  REQUIRE(chown(f.store_path().c_str(), 65534, 65534) == 0);
  auto r = f.run({"token"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "owned by another user"));
}

TEST_CASE("XDG_CONFIG_HOME and --config-dir choose the folder") {
  NeuronFixture f;
  std::map<std::string, std::string> xdg{{"AUTHCTL_CONFIG_DIR", ""},
                                         {"XDG_CONFIG_HOME", f.tmp.path() + "/xdg"}};
  auto r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"}, xdg,
                 std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(!read_file(f.tmp.path() + "/xdg/authctl/credentials.json").empty());
  auto d = f.run({"--config-dir", f.tmp.path() + "/flag", "login", "--host", f.broker.url(), "-u",
                  kUser, "--password-stdin"},
                 {}, std::string(kPassword) + "\n");
  REQUIRE(d.exit_code == 0);
  CHECK(!read_file(f.tmp.path() + "/flag/credentials.json").empty());
}

TEST_CASE("a held lock: exit 1 naming the lock after the bounded wait; the store is intact") {
  NeuronFixture f;
  REQUIRE(f.login().exit_code == 0);
  const std::string before = read_file(f.store_path());
  int fd = open((f.config_dir() + "/credentials.lock").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(flock(fd, LOCK_EX) == 0);
  auto r = f.run({"logout", "--local"}, {{"AUTHCTL_LOCK_TIMEOUT", "1"}});
  close(fd);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "credentials.lock"));
  CHECK(read_file(f.store_path()) == before);
}

TEST_CASE("usage errors exit 2") {
  NeuronFixture f;
  CHECK(f.run({}).exit_code == 2);
  CHECK(f.run({"frobnicate"}).exit_code == 2);
  CHECK(f.run({"login", "--no-such-flag"}).exit_code == 2);
  CHECK(f.run({"--timeout", "0", "status"}).exit_code == 2);
  CHECK(f.run({"--help"}).exit_code == 0);
  CHECK(contains(f.run({"--version"}).out, "."));
}

TEST_CASE("a corrupt store is left alone by logout --local and refresh too") {
  NeuronFixture f;
  mkdir(f.config_dir().c_str(), 0700);
  const std::string garbage = R"({"version":1,"current":"p","profiles":{"p":{"kind":"neuron"}}})";
  write_file(f.store_path(), garbage);
  for (auto args : std::vector<std::vector<std::string>>{
           {"logout", "--local"}, {"refresh"}, {"logout", "--all"}}) {
    auto r = f.run(args);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "corrupt"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  }
  CHECK(read_file(f.store_path()) == garbage);
}
