// Stores written by earlier authctl releases (tests/fixtures/stores/, each made by running
// that release against its test broker: see the README there) read and rewritten by this
// one: every profile usable, every field kept under its key with the same value, and keys
// this version does not know (a later version's) kept as they were.
#include <sys/stat.h>

#include <set>

#include "fixture.hpp"

using namespace e2e;

namespace {

// A field of a later version, added to every profile of the copy.
const nlohmann::json kLater = {{"kept", {1, "two", nullptr}}, {"nested", {{"deep", true}}}};

struct FixtureStore {
  TempDir tmp;
  std::map<std::string, std::string> env;
  nlohmann::json original;

  explicit FixtureStore(const std::string& name) {
    original = nlohmann::json::parse(
        read_file(std::string(AUTHCTL_SOURCE_DIR) + "/tests/fixtures/stores/" + name));
    for (auto& item : original["profiles"].items()) item.value()["x_later_field"] = kLater;
    mkdir(config_dir().c_str(), 0700);
    write_file(store_path(), original.dump(2) + "\n");
    env["AUTHCTL_CONFIG_DIR"] = config_dir();
  }
  std::string config_dir() const { return tmp.path() + "/config"; }
  std::string store_path() const { return config_dir() + "/credentials.json"; }
  Result run(std::vector<std::string> args) const { return e2e::run({std::move(args), env, ""}); }

  // The first profile whose name starts with `prefix`.
  std::string name_starting(const std::string& prefix) const {
    for (const auto& item : original["profiles"].items())
      if (item.key().rfind(prefix, 0) == 0) return item.key();
    FAIL("no profile named " << prefix << "...");
    return {};
  }
};

// A profile of an earlier release as this one rewrites it: "method" added (absent meant a
// password, unless the token is an API key or a passkey file was used), and a Nexterm
// profile's "seconds" (which meant nothing there) dropped.
nlohmann::json as_rewritten(nlohmann::json profile) {
  if (profile["kind"] == "nexterm") profile.erase("seconds");
  if (!profile.contains("method"))
    profile["method"] = profile["token"].get<std::string>().rfind("nxt_", 0) == 0 ? "api-key"
                        : profile.contains("passkey_file")                        ? "passkey"
                                                                                  : "password";
  return profile;
}

// Every profile of `before` is in `after` with exactly its fields and values (as_rewritten).
void check_same_profiles(const nlohmann::json& before, const nlohmann::json& after) {
  REQUIRE(after["profiles"].size() == before["profiles"].size());
  for (const auto& item : before["profiles"].items()) {
    CAPTURE(item.key());
    REQUIRE(after["profiles"].contains(item.key()));
    const nlohmann::json& now = after["profiles"][item.key()];
    const nlohmann::json expected = as_rewritten(item.value());
    CHECK(now.size() == expected.size());
    for (const auto& field : expected.items()) {
      CAPTURE(field.key());
      REQUIRE(now.contains(field.key()));
      CHECK(now[field.key()].dump() == field.value().dump());
    }
  }
}

void check_status_lists_all(const FixtureStore& f) {
  const std::string before = read_file(f.store_path());
  auto status = f.run({"status", "--json"});
  INFO(status.err);
  // 4 once the current profile's token (an hour, from the day the fixture was made) expired.
  CHECK((status.exit_code == 0 || status.exit_code == 4));
  CHECK_FALSE(contains(status.err, "unusable"));
  const auto listed = nlohmann::json::parse(status.out);
  CHECK(listed["current"] == f.original["current"]);
  std::set<std::string> names;
  for (const auto& p : listed["profiles"]) {
    const std::string name = p["profile"];
    names.insert(name);
    const nlohmann::json& stored = f.original["profiles"][name];
    CHECK(p["kind"] == stored["kind"]);
    CHECK(p["url"] == stored["url"]);
    CHECK(p["user"] == stored["user"]);
  }
  CHECK(names.size() == f.original["profiles"].size());
  CHECK(read_file(f.store_path()) == before);  // reading never writes
}

void check_round_trip(const std::string& fixture, const std::string& switch_prefix) {
  FixtureStore f(fixture);
  check_status_lists_all(f);
  // Nexterm tokens do not expire: the launcher's cache hit serves them from this store.
  const std::string key_profile = f.name_starting("carol-ci");
  auto key = f.run({"-p", key_profile, "token"});
  CHECK(key.exit_code == 0);
  CHECK(key.out == f.original["profiles"][key_profile]["token"].get<std::string>() + "\n");
  const std::string target = f.name_starting(switch_prefix);
  auto switched = f.run({"switch", target});
  REQUIRE_MESSAGE(switched.exit_code == 0, switched.err);
  const auto after = nlohmann::json::parse(read_file(f.store_path()));
  CHECK(after["version"] == 1);
  CHECK(after["current"] == target);
  check_same_profiles(f.original, after);
}

}  // namespace

TEST_CASE("a store of 0364272 (before the hostile-input checks): all kept through switch") {
  // Its non-ASCII profile name ("björn@...", spelled %C3%B6 by later releases) still works.
  check_round_trip("credentials-0364272.json", "björn@");
}

TEST_CASE("a store of e4f8744 (account, passkey, remote cookie fields): all kept through switch") {
  check_round_trip("credentials-e4f8744.json", "dan@");
}
