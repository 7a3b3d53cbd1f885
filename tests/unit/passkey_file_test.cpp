#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.hpp"
#include "store/passkey_file.hpp"
#include "test_util.hpp"

using namespace authctl;
using namespace authctl::store;
using namespace test_util;

namespace {

PasskeyRecord record(const std::string& user, const std::string& origin,
                     const std::string& credential_id) {
  PasskeyRecord r;
  r.origin = origin;
  r.rp_id = "127.0.0.1";
  r.credential_id = credential_id;
  r.user = user;
  r.server_url = origin;
  r.private_key_pem = "-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n";
  return r;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a new key file: folder 0700, file 0600, named USER@HOST-ID.json, no temp file left") {
  TempDir tmp;
  const std::string dir = passkeys_dir(tmp.path() + "/config");
  const std::string path =
      create_passkey_file(dir, record("dan", "http://127.0.0.1:8080", "FT_m__mxAbCd"));
  CHECK(path == dir + "/dan@127.0.0.1_8080-FT_m__mx.json");
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(path) == 0600);
  CHECK(names_in(dir) == std::vector<std::string>{"dan@127.0.0.1_8080-FT_m__mx.json"});
  const PasskeyRecord back = read_passkey_file(path, false);
  CHECK(back.origin == "http://127.0.0.1:8080");
  CHECK(back.credential_id == "FT_m__mxAbCd");
  CHECK(back.user == "dan");
  CHECK_FALSE(back.row_id);
  CHECK(back.path == path);
}

TEST_CASE("a key file is never replaced: the same name again is an error, the first one stays") {
  TempDir tmp;
  const std::string dir = passkeys_dir(tmp.path());
  const std::string path = create_passkey_file(dir, record("dan", "http://h:1", "SameId01"));
  const std::string first = slurp(path);
  PasskeyRecord other = record("dan", "http://h:1", "SameId01-other-key");
  other.private_key_pem = "another key";
  CHECK(error_of([&] { create_passkey_file(dir, other); }) == path + " already exists");
  CHECK(slurp(path) == first);
  CHECK(names_in(dir).size() == 1);  // no temp file of the refused one
}

TEST_CASE("update_passkey_file rewrites in place (the row id learned after registration)") {
  TempDir tmp;
  const std::string dir = passkeys_dir(tmp.path());
  PasskeyRecord r = record("dan", "http://h:1", "RowId001");
  r.path = create_passkey_file(dir, r);
  r.row_id = 42;
  update_passkey_file(r);
  CHECK(read_passkey_file(r.path, false).row_id == 42);
  CHECK(mode_of(r.path) == 0600);
  CHECK(names_in(dir).size() == 1);
}

TEST_CASE("find_passkey_files: by origin and user, only *.json, unreadable ones reported") {
  TempDir tmp;
  const std::string dir = passkeys_dir(tmp.path());
  create_passkey_file(dir, record("dan", "http://h:1", "Dan00001"));
  create_passkey_file(dir, record("eve", "http://h:1", "Eve00001"));
  create_passkey_file(dir, record("dan", "http://other:2", "Dan00002"));
  spit(dir + "/notes.txt", "not a key");
  spit(dir + "/broken.json", "{", 0600);
  std::vector<std::string> problems;
  auto found = find_passkey_files(dir, "http://h:1", "dan", &problems);
  REQUIRE(found.size() == 1);
  CHECK(found[0].credential_id == "Dan00001");
  CHECK(find_passkey_files(dir, "http://h:1", "").size() == 2);
  CHECK(find_passkey_files(dir, "", "dan").size() == 2);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("broken.json") != std::string::npos);
  CHECK(find_passkey_files(tmp.path() + "/none", "", "").empty());  // no folder: none
}

TEST_CASE("in passkeys/ a symlink is refused; a file named by the user may be one") {
  TempDir tmp;
  const std::string dir = passkeys_dir(tmp.path());
  const std::string real = create_passkey_file(dir, record("dan", "http://h:1", "Link0001"));
  const std::string link = dir + "/link.json";
  REQUIRE(symlink(real.c_str(), link.c_str()) == 0);
  CHECK(error_of([&] { read_passkey_file(link, false); }).find("symbolic link") !=
        std::string::npos);
  CHECK(read_passkey_file(link, true).credential_id == "Link0001");
  chmod(real.c_str(), 0644);
  CHECK(error_of([&] { read_passkey_file(link, true); }).find("accessible to other users") !=
        std::string::npos);
  CHECK(error_of([&] { read_passkey_file(dir + "/missing.json", true); }) ==
        "no passkey file " + dir + "/missing.json");
}
