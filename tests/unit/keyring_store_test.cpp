// The store's side of keyring profiles (store/credentials, store/secret_keeper): what goes
// to the file and what to the keeper, and when. The keeper here is an in-memory one; the
// real Secret Service is tested end to end (tests/e2e/keyring_test.cpp).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "backends/session_client.hpp"
#include "core/error.hpp"
#include "store/credentials.hpp"
#include "store/secret_keeper.hpp"
#include "test_util.hpp"

using namespace authctl;
using namespace authctl::store;
using namespace test_util;

namespace {

const std::string kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

struct MemoryKeeper : SecretKeeper {
  std::map<std::string, KeptSecret> items;
  int saves = 0, removes = 0;
  bool fail = false;
  std::map<std::string, KeptSecret> load(const std::string&) override {
    if (fail)
      throw Error(ExitCode::error, "the keyring cannot be reached (test)",
                  Reason::keyring_unreachable);
    return items;
  }
  void save(const std::string&, const std::string& name, const Profile& profile,
            const std::string& secret) override {
    if (fail)
      throw Error(ExitCode::error, "the keyring cannot be reached (test)",
                  Reason::keyring_unreachable);
    ++saves;
    items[name] = {profile.url, secret};
  }
  void remove(const std::string&, const std::string& name, const std::string*) override {
    ++removes;
    items.erase(name);
  }
};

Profile keyring_profile() {
  Profile p;
  p.url = "https://neuron.example.com";
  p.user = "alice";
  p.token = kJwt;
  p.expires = 1795346531;
  p.storage = Storage::keyring;
  p.remote_cookies["https://other.example.com"] = "abc123";
  return p;
}

// The Error require_secret throws for the profile `name` of `c`.
Error refusal(const Credentials& c, const std::string& name) {
  try {
    require_secret(name, *c.find(name));
  } catch (const Error& e) {
    return e;
  }
  FAIL("require_secret threw nothing");
  return Error(ExitCode::ok, "");
}

struct KeyringStore {
  TempDir tmp;
  std::shared_ptr<MemoryKeeper> keeper = std::make_shared<MemoryKeeper>();
  Store store{tmp.path() + "/authctl"};
  KeyringStore() { store.set_secret_keeper(keeper); }
  void add(const std::string& name) {
    store.update([&](Credentials& c) {
      c.profiles[name] = keyring_profile();
      return true;
    });
  }
};

}  // namespace

TEST_CASE("a keyring profile goes to the file without its token and cookies") {
  Credentials c;
  c.profiles["p"] = keyring_profile();
  const nlohmann::json doc = to_json(c);
  const auto& p = doc["profiles"]["p"];
  CHECK(p["storage"] == "keyring");
  CHECK_FALSE(p.contains("token"));
  CHECK_FALSE(p.contains("remote_cookies"));
  CHECK(doc.dump().find(kJwt) == std::string::npos);
  // Read back without a keeper: usable, its secrets not read.
  const Credentials back = from_json(doc, "test");
  REQUIRE(back.find("p"));
  CHECK(back.find("p")->secret == SecretState::not_read);
  CHECK(back.find("p")->token.empty());
  CHECK_THROWS_AS(require_secret("p", *back.find("p")), Error);
  // A storage this version does not know: the profile is skipped and kept as it is.
  nlohmann::json later = doc;
  later["profiles"]["p"]["storage"] = "tpm";
  CHECK(from_json(later, "test").skipped.count("p") == 1);
}

TEST_CASE("a keyring item's text: a round trip, and hostile items refused") {
  const Profile p = keyring_profile();
  Profile read = p;
  read.token.clear();
  read.remote_cookies.clear();
  read.secret = SecretState::not_read;
  CHECK(take_secret(read, secret_text(p)) == "");
  CHECK(read.token == kJwt);
  CHECK(read.remote_cookies == p.remote_cookies);
  CHECK(read.secret == SecretState::here);
  for (const std::string& hostile :
       {std::string("not json"), std::string("[]"), std::string(R"({"token":7})"),
        std::string(R"({"token":"a\nb.c.d"})"), std::string(200, '[') + std::string(200, ']'),
        std::string(R"({"token":")") + kJwt + R"(","remote_cookies":{"https://x":"a;b"}})",
        std::string(R"({"token":")") + kJwt + R"(","remote_cookies":[1]})"}) {
    Profile target = keyring_profile();
    target.token = "unchanged";
    CHECK_MESSAGE(take_secret(target, hostile) != "", hostile);
    CHECK(target.token == "unchanged");
  }
}

TEST_CASE("the store writes the keeper before the file, and only what changed") {
  KeyringStore s;
  s.add("p");
  CHECK(s.keeper->saves == 1);
  const Credentials loaded = s.store.load();
  REQUIRE(loaded.find("p"));
  CHECK(loaded.find("p")->token == kJwt);
  CHECK(loaded.find("p")->secret == SecretState::here);
  CHECK(slurp(s.store.credentials_path()).find(kJwt) == std::string::npos);
  s.store.update([](Credentials& c) {
    c.current = "p";  // no secret changed
    return true;
  });
  CHECK(s.keeper->saves == 1);
  // A keeper that fails: the update throws and the file is as it was.
  const std::string before = slurp(s.store.credentials_path());
  s.keeper->fail = true;
  CHECK_THROWS_AS(s.add("q"), Error);
  CHECK(slurp(s.store.credentials_path()) == before);
  // ... and the profiles read as unreachable, with the reason.
  const Credentials away = s.store.load();
  CHECK(away.find("p")->secret == SecretState::unreachable);
  const Error unreachable = refusal(away, "p");
  CHECK(unreachable.code() == ExitCode::error);
  CHECK(unreachable.reason() == Reason::keyring_unreachable);
}

TEST_CASE("an item that is gone or for another url: log in again; removing the profile drops it") {
  KeyringStore s;
  s.add("p");
  s.add("q");
  s.keeper->items["q"].url = "https://elsewhere.example.com";
  s.keeper->items.erase("p");
  const Credentials c = s.store.load();
  CHECK(c.find("p")->secret == SecretState::gone);
  CHECK(c.find("q")->secret == SecretState::gone);
  const Error gone = refusal(c, "p");
  CHECK(gone.code() == ExitCode::auth);
  CHECK(gone.reason() == Reason::relogin_needed);
  s.store.update([](Credentials& all) {
    all.profiles.erase("q");
    return true;
  });
  CHECK(s.keeper->items.empty());
  CHECK(s.keeper->removes == 1);
}

TEST_CASE("a keyring profile whose token is not read still tells an API key from a session") {
  Profile p = keyring_profile();
  p.kind = Kind::nexterm;
  p.token.clear();
  p.secret = SecretState::unreachable;
  p.method = LoginMethod::api_key;
  CHECK(backends::holds_api_key(p));
  p.method = LoginMethod::password;
  CHECK_FALSE(backends::holds_api_key(p));
  p.secret = SecretState::here;
  p.token = "nxt_" + std::string(64, 'a');
  CHECK(backends::holds_api_key(p));
}
