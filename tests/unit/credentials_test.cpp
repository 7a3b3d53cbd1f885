#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "cli/hints.hpp"
#include "core/error.hpp"
#include "core/validate.hpp"
#include "store/credentials.hpp"
#include "test_util.hpp"

using namespace authctl;
using namespace authctl::store;
using namespace test_util;

namespace {
Profile sample(const std::string& user) {
  Profile p;
  p.kind = Kind::neuron;
  p.url = "https://neuron.example.com";
  p.user = user;
  p.token = "eyJhbGciOiJIUzI1NiJ9.eyJ" + user + ".c2ln";  // a JWT's alphabet
  p.expires = 1795346531;
  p.seconds = 600;
  p.clock_offset = -3;
  return p;
}

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    // What the user reads: the store's facts, and the hint the command layer makes of them.
    return std::string(e.what()) + " | " + authctl::cli::hint_for(e, {});
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
  CHECK(c.find("alice@x")->token == "eyJhbGciOiJIUzI1NiJ9.eyJalice.c2ln");
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
       R"("user":"u","token":"h.p.s","expires":null,"future":{"x":1}}}})");
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
  const int failed = failed_children(8, [&](int i) {
    for (int k = 0; k < 5; ++k) {
      Store(tmp.path() + "/s").update([&](Credentials& c) {
        c.profiles["p" + std::to_string(i) + "-" + std::to_string(k)] = sample("u");
        return true;
      });
    }
  });
  CHECK(failed == 0);
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

namespace {
const std::string kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";
const std::string kSession(96, 'a');

std::string profile_json(const std::string& kind, const std::string& url, const std::string& token,
                         const std::string& more = "") {
  return R"({"kind":")" + kind + R"(","url":")" + url + R"(","user":"u","token":)" +
         nlohmann::json(token).dump() + R"(,"expires":null)" + more + "}";
}
}  // namespace

TEST_CASE("profile_problem: tokens in their kind's alphabet, urls by the --host rules, cookies") {
  Profile p = sample("alice");
  CHECK(profile_problem(p).empty());
  p.token = "abc\r\nX-Evil: 1";
  CHECK(profile_problem(p) == "its token is not a JWT");
  p.kind = Kind::nexterm;
  p.token = kSession;
  CHECK(profile_problem(p).empty());
  p.token = "nxt_" + std::string(64, 'f');
  CHECK(profile_problem(p).empty());
  p.token = kJwt;
  CHECK(profile_problem(p).find("neither") != std::string::npos);
  // A kind of no known name cannot even be a Profile: the reader skips it (see below).
  const Credentials other =
      parse_store(R"({"version":1,"profiles":{"o":)" +
                      profile_json("other", "https://h.example", kJwt, "") + "}}",
                  "test");
  REQUIRE(other.skipped.count("o"));
  CHECK(other.skipped.at("o").reason == "its kind is not neuron or nexterm");
  p = sample("alice");
  for (const char* url : {"https://user@evil.example", "https://h.example/path", "h.example",
                          "ftp://h.example", "https://h.example:99999", "https://h\r\n.example"})
    CHECK_MESSAGE(!profile_problem((p.url = url, p)).empty(), url);
  for (const char* url : {"http://lan.example:8080", "https://[::1]:8443", "https://h.example"})
    CHECK_MESSAGE(profile_problem((p.url = url, p)).empty(), url);
  p.remote_cookies = {{"https://r.example", "ok-cookie"}, {"https://s.example", ""}};
  CHECK(profile_problem(p).empty());
  p.remote_cookies["https://r.example"] = "a;b\r\nSet: x";
  CHECK(profile_problem(p) == "a remembered remote cookie is not a valid cookie value");
  p.remote_cookies["https://r.example"] = std::string(4097, 'a');  // over RFC 6265's 4096
  CHECK(profile_problem(p).find("cookie") != std::string::npos);
}

TEST_CASE("the commands' fields are typed, under their keys; extra keeps only unknown keys") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  const std::string more =
      R"(,"email":"e@example.com","phone":"+4670","unverified":["phone"],)"
      R"("passkey_file":"/k/u@h-x.json","remote_cookies":{"https://r.example":"c00kie"},)"
      R"("future":{"x":[1]})";
  spit(store.credentials_path(), R"({"version":1,"current":"p","profiles":{"p":)" +
                                     profile_json("neuron", "https://h.example", kJwt, more) +
                                     "}}");
  const Credentials c = store.load();
  REQUIRE(c.find("p"));
  const Profile& p = *c.find("p");
  CHECK(p.email == "e@example.com");
  CHECK(p.phone == "+4670");
  CHECK(p.unverified == std::vector<std::string>{"phone"});
  CHECK(p.passkey_file == "/k/u@h-x.json");
  CHECK(p.remote_cookies == std::map<std::string, std::string>{{"https://r.example", "c00kie"}});
  CHECK(p.extra == nlohmann::json{{"future", {{"x", {1}}}}});
  store.update([](Credentials& c) {
    Profile& p = c.profiles["p"];
    p.phone.clear();
    p.unverified->clear();  // all verified: an empty list, kept as one
    p.remote_cookies["https://s.example"] = "other";
    return true;
  });
  const auto doc = nlohmann::json::parse(slurp(store.credentials_path()))["profiles"]["p"];
  CHECK(doc["email"] == "e@example.com");
  CHECK_FALSE(doc.contains("phone"));
  CHECK(doc["unverified"] == nlohmann::json::array());
  CHECK(doc["passkey_file"] == "/k/u@h-x.json");
  CHECK(doc["remote_cookies"] ==
        nlohmann::json{{"https://r.example", "c00kie"}, {"https://s.example", "other"}});
  CHECK(doc["future"] == nlohmann::json{{"x", {1}}});
  // a profile that never had them gets none of these keys
  Credentials plain;
  plain.profiles["q"] = sample("u");
  const auto written = to_json(plain)["profiles"]["q"];
  for (const char* key : {"email", "phone", "unverified", "passkey_file", "remote_cookies"})
    CHECK_MESSAGE(!written.contains(key), key);
}

TEST_CASE("a command's field of the wrong type makes the profile unusable, kept as it was") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(,"email":7)", "its \"email\" is not a string"},
      {R"(,"phone":["+46"])", "its \"phone\" is not a string"},
      {R"(,"passkey_file":null)", "its \"passkey_file\" is not a string"},
      {R"(,"unverified":"email")", "its \"unverified\" is not a list"},
      {R"(,"unverified":["email",1])", "its \"unverified\" holds something other than text"},
      {R"(,"remote_cookies":"x")", "its remembered remote cookies are not an object"},
      {R"(,"remote_cookies":{"https://r":1})", "a remembered remote cookie is not a string"},
      {R"(,"remote_cookies":{"https://r":"a;b"})",
       "a remembered remote cookie is not a valid cookie value"}};
  for (const auto& entry : cases) {
    // Not a structured binding: doctest's CAPTURE is a lambda, and clang 14 refuses those
    // capturing one.
    const char* more = entry.first;
    const char* reason = entry.second;
    CAPTURE(more);
    const std::string raw = profile_json("neuron", "https://h.example", kJwt, more);
    const Credentials c =
        parse_store(R"({"version":1,"current":"p","profiles":{"p":)" + raw + "}}", "test");
    CHECK_FALSE(c.find("p"));
    REQUIRE(c.skipped.count("p"));
    CHECK(c.skipped.at("p").reason == reason);
    CHECK(to_json(c)["profiles"]["p"] == nlohmann::json::parse(raw));
    CHECK(to_json(c)["current"] == "p");
  }
}

TEST_CASE("an unusable profile is skipped with its reason and written back unchanged") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  const std::string bad =
      profile_json("neuron", "https://h.example", "abc\r\nX-Evil: 1", R"(,"future":[1,2])");
  spit(store.credentials_path(), R"({"version":1,"current":"bad","profiles":{"bad":)" + bad +
                                     R"(,"good":)" +
                                     profile_json("neuron", "https://h.example", kJwt) + "}}");
  Credentials c = store.load();
  CHECK(c.find("good"));
  CHECK_FALSE(c.find("bad"));
  REQUIRE(c.skipped.count("bad"));
  CHECK(c.skipped.at("bad").reason == "its token is not a JWT");
  CHECK(c.current.empty());  // the current profile is unusable: none is current
  CHECK(c.source == store.credentials_path());
  store.update([](Credentials& c) {
    c.profiles["new"] = sample("new");
    return true;
  });
  auto doc = nlohmann::json::parse(slurp(store.credentials_path()));
  CHECK(doc["profiles"]["bad"] == nlohmann::json::parse(bad));
  CHECK(doc["current"] == "bad");
  CHECK(doc["profiles"].contains("new"));
  store.update([](Credentials& c) { return c.skipped.erase("bad") == 1; });
  doc = nlohmann::json::parse(slurp(store.credentials_path()));
  CHECK_FALSE(doc["profiles"].contains("bad"));
  CHECK(doc["current"].is_null());
}

TEST_CASE("JSON nested deeper than 64 levels is a corrupt store, found before it is built") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  const std::string deep = R"({"version":1,"profiles":{},"x":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  spit(store.credentials_path(), deep);
  CHECK(expect_error([&] { store.load(); }).find("deeper than 64") != std::string::npos);
  CHECK(expect_error([&] { store.update([](Credentials&) { return true; }); }).find("corrupt") !=
        std::string::npos);
  CHECK(slurp(store.credentials_path()) == deep);
}

TEST_CASE("a FIFO, folder or device in place of credentials.json is an error at once") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  REQUIRE(mkfifo(store.credentials_path().c_str(), 0600) == 0);
  CHECK(expect_error([&] { store.load(); }).find("FIFO") != std::string::npos);
  unlink(store.credentials_path().c_str());
  REQUIRE(mkdir(store.credentials_path().c_str(), 0700) == 0);
  CHECK(expect_error([&] { store.load(); }).find("folder") != std::string::npos);
  rmdir(store.credentials_path().c_str());
  REQUIRE(symlink("/dev/null", store.credentials_path().c_str()) == 0);
  CHECK(expect_error([&] { store.load(); }).find("symbolic link") != std::string::npos);
  unlink(store.credentials_path().c_str());
  REQUIRE(mkfifo(store.lock_path().c_str(), 0600) == 0);
  CHECK(expect_error([&] { store.update([](Credentials&) { return true; }); }).find("FIFO") !=
        std::string::npos);
}

TEST_CASE("temp files of a killed write are removed by the next write, and only those") {
  CHECK(is_temp_of("credentials.json.tmp.aB3xYz", "credentials.json"));
  CHECK_FALSE(is_temp_of("credentials.json.tmp.aB3xY", "credentials.json"));
  CHECK_FALSE(is_temp_of("credentials.json.tmp.aB3xY-", "credentials.json"));
  CHECK_FALSE(is_temp_of("credentials.json.tmp.aB3xYz.bak", "credentials.json"));
  CHECK_FALSE(is_temp_of("other.json.tmp.aB3xYz", "credentials.json"));
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  const std::string stale = tmp.path() + "/credentials.json.tmp.Q1w2E3";
  const std::string keep = tmp.path() + "/credentials.json.tmp.notours";
  spit(stale, "{\"half\":");
  spit(keep, "mine");
  store.load();
  CHECK(std::filesystem::exists(stale));  // reading never removes anything
  store.update([](Credentials& c) {
    c.profiles["p"] = sample("p");
    return true;
  });
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(keep));
}

namespace {

// tests/fixtures/stores/: credentials.json files written by earlier releases (see the README
// there for how each was made).
std::string fixture_text(const std::string& name) {
  std::string dir = __FILE__;
  dir.resize(dir.rfind("/unit/"));
  return slurp(dir + "/fixtures/stores/" + name);
}

// Every field of every profile against the file's JSON as nlohmann reads it: each key is
// read into its member with its value, and none is left over in `extra`.
void check_every_field(const Credentials& c, const nlohmann::json& raw) {
  CHECK(c.skipped.empty());
  CHECK(c.current == raw["current"].get<std::string>());
  REQUIRE(c.profiles.size() == raw["profiles"].size());
  for (const auto& item : raw["profiles"].items()) {
    CAPTURE(item.key());
    const Profile* p = c.find(item.key());
    REQUIRE(p);
    const nlohmann::json& j = item.value();
    CHECK(kind_name(p->kind) == j.at("kind").get<std::string>());
    CHECK(p->url == j.at("url").get<std::string>());
    CHECK(p->user == j.at("user").get<std::string>());
    CHECK(p->token == j.at("token").get<std::string>());
    CHECK(p->expires ==
          (j.at("expires").is_null() ? std::optional<int64_t>() : j.at("expires").get<int64_t>()));
    if (p->kind == Kind::neuron) CHECK(p->seconds == j.at("seconds").get<int64_t>());
    CHECK(p->clock_offset == j.at("clock_offset").get<int64_t>());
    CHECK(p->cacert == j.value("cacert", std::string()));
    CHECK(p->enabled == (j.contains("enabled") ? j["enabled"].get<bool>() : std::optional<bool>()));
    CHECK(p->email == j.value("email", std::string()));
    CHECK(p->phone == j.value("phone", std::string()));
    CHECK(p->unverified.has_value() == j.contains("unverified"));
    if (p->unverified) CHECK(*p->unverified == j["unverified"].get<std::vector<std::string>>());
    CHECK(p->passkey_file == j.value("passkey_file", std::string()));
    CHECK(p->remote_cookies == j.value("remote_cookies", std::map<std::string, std::string>()));
    CHECK(p->extra.empty());
  }
}

// The profile of `c` whose name starts with `prefix`.
const Profile& starting(const Credentials& c, const std::string& prefix) {
  for (const auto& item : c.profiles)
    if (item.first.rfind(prefix, 0) == 0) return item.second;
  FAIL("no profile " << prefix << "...");
  throw std::logic_error("unreachable");
}

// What make-store did, as each release stored it (the same commands for both).
void check_made_by_make_store(const Credentials& c) {
  CHECK(c.current.rfind("alice@vm:", 0) == 0);
  const Profile& lan = starting(c, "alice@vm:");
  CHECK(lan.url.rfind("http://vm:", 0) == 0);  // plain http, not loopback: --allow-http
  CHECK(lan.seconds == 600);
  REQUIRE(lan.remote_cookies.size() == 1);
  CHECK(lan.remote_cookies.begin()->first.rfind("http://[::1]:", 0) == 0);
  CHECK(validate::is_cookie_value(lan.remote_cookies.begin()->second));
  CHECK(starting(c, "alice@[::1]:").url.rfind("http://[::1]:", 0) == 0);
  int with_cacert = 0;
  for (const auto& item : c.profiles) {
    if (item.second.cacert.empty()) continue;
    ++with_cacert;
    CHECK(item.second.url.rfind("https://127.0.0.1:", 0) == 0);
    CHECK(item.second.cacert.size() > 11);
    CHECK(item.second.cacert.compare(item.second.cacert.size() - 11, 11, "/pki/ca.pem") == 0);
  }
  CHECK(with_cacert == 1);
  const Profile& dave = starting(c, "dave@");
  CHECK(dave.email == "dave@example.com");
  CHECK(dave.phone == "+46701234567");
  CHECK(dave.unverified == std::vector<std::string>{"phone"});
  CHECK(dave.enabled == false);
  const Profile& erin = starting(c, "erin@");
  CHECK(erin.email == "erin@example.com");
  CHECK(erin.phone.empty());
  CHECK(erin.unverified == std::vector<std::string>{});  // present and empty: all verified
  CHECK(erin.enabled == true);
  const Profile& key = starting(c, "carol-ci");
  CHECK(key.kind == Kind::nexterm);
  CHECK(validate::is_api_key(key.token));
  CHECK_FALSE(key.expires);
  CHECK(validate::is_session_token(starting(c, "carol@").token));
  const Profile& dan = starting(c, "dan@");
  CHECK(dan.passkey_file.find("/config/passkeys/dan@127.0.0.1_") != std::string::npos);
  CHECK(dan.user == "dan");
  for (const auto& item : c.profiles)
    if (item.first.rfind("dave@", 0) && item.first.rfind("erin@", 0))
      CHECK_MESSAGE(item.second.email.empty(), item.first);
  // No "method" then: an API key, a passkey file, else a password (also account create's).
  CHECK(key.method == LoginMethod::api_key);
  CHECK(dan.method == LoginMethod::passkey);
  CHECK(starting(c, "carol@").method == LoginMethod::password);
  CHECK(dave.method == LoginMethod::password);
  CHECK(lan.method == LoginMethod::password);
}

// `text` as this version writes it back: each profile's "method" added (as read_method
// infers it), and a Nexterm profile's meaningless "seconds" left out; nothing else changed.
std::string as_rewritten(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text);
  for (auto& item : doc["profiles"].items()) {
    nlohmann::json& p = item.value();
    if (p["kind"] == "nexterm") p.erase("seconds");
    p["method"] = validate::is_api_key(p["token"].get<std::string>()) ? "api-key"
                  : p.contains("passkey_file")                        ? "passkey"
                                                                      : "password";
  }
  return doc.dump(2) + "\n";
}

}  // namespace

TEST_CASE("a store written by 0364272 (before the hostile-input checks): every field read") {
  const std::string text = fixture_text("credentials-0364272.json");
  const Credentials c = parse_store(text, "credentials-0364272.json");
  check_every_field(c, nlohmann::json::parse(text));
  check_made_by_make_store(c);
  // The name of that release: the user's bytes as they are (later ones spell them %C3%B6).
  const Profile& bjorn = starting(c, "bj\xc3\xb6rn@127.0.0.1:");
  CHECK(bjorn.user == "bj\xc3\xb6rn");
  CHECK(to_json(c).dump(2) + "\n" == as_rewritten(text));  // nothing else changed
}

TEST_CASE("a store written by e4f8744 (the fields then in extra): every field read") {
  const std::string text = fixture_text("credentials-e4f8744.json");
  const Credentials c = parse_store(text, "credentials-e4f8744.json");
  check_every_field(c, nlohmann::json::parse(text));
  check_made_by_make_store(c);
  CHECK(starting(c, "bj%C3%B6rn@127.0.0.1:").user == "bj\xc3\xb6rn");
  CHECK(to_json(c).dump(2) + "\n" == as_rewritten(text));
}

TEST_CASE("top-level fields of a later version survive a write by this one") {
  TempDir tmp;
  chmod(tmp.path().c_str(), 0700);
  Store store(tmp.path());
  spit(
      store.credentials_path(),
      R"({"version":1,"current":"p","defaults":{"storage":"keyring"},"note":"x","profiles":{"p":)" +
          profile_json("neuron", "https://h.example", kJwt, "") + "}}");
  const Credentials read = store.load();
  CHECK(read.extra == nlohmann::json{{"defaults", {{"storage", "keyring"}}}, {"note", "x"}});
  store.update([](Credentials& c) {
    c.profiles["p"].user = "renamed";
    return true;
  });
  const auto doc = nlohmann::json::parse(slurp(store.credentials_path()));
  CHECK(doc["defaults"] == nlohmann::json{{"storage", "keyring"}});
  CHECK(doc["note"] == "x");
  CHECK(doc["version"] == 1);  // the known fields are this version's, never the extra's
  CHECK(doc["current"] == "p");
  CHECK(doc["profiles"]["p"]["user"] == "renamed");
}

TEST_CASE("method: written by name, absent inferred, a later one kept, a wrong type unusable") {
  Credentials c;
  Profile p = sample("alice");
  p.method = LoginMethod::qr;
  c.profiles["q"] = p;
  Profile n = sample("carol");
  n.kind = Kind::nexterm;
  n.token = std::string(96, 'a');
  n.method = LoginMethod::device;
  c.profiles["d"] = n;
  nlohmann::json doc = to_json(c);
  CHECK(doc["profiles"]["q"]["method"] == "qr");
  CHECK(doc["profiles"]["q"]["seconds"] == 600);
  CHECK(doc["profiles"]["d"]["method"] == "device");
  CHECK_FALSE(doc["profiles"]["d"].contains("seconds"));  // a Nexterm session has no lifetime
  CHECK(from_json(doc, "f").find("q")->method == LoginMethod::qr);

  for (const char* name :
       {"password", "www", "api-key", "session-cookie", "qr", "passkey", "device"}) {
    const std::optional<LoginMethod> method = login_method_from_name(name);
    REQUIRE(method);
    CHECK(std::string(login_method_name(*method)) == name);
  }
  CHECK_FALSE(login_method_from_name("Password"));

  doc["profiles"]["q"].erase("method");
  CHECK(from_json(doc, "f").find("q")->method == LoginMethod::password);
  doc["profiles"]["q"]["method"] = "telepathy";  // a later version's
  Credentials later = from_json(doc, "f");
  REQUIRE(later.find("q"));
  CHECK_FALSE(later.find("q")->method);
  CHECK(to_json(later)["profiles"]["q"]["method"] == "telepathy");
  doc["profiles"]["q"]["method"] = 7;
  Credentials wrong = from_json(doc, "f");
  CHECK_FALSE(wrong.find("q"));
  REQUIRE(wrong.skipped.count("q"));
  CHECK(wrong.skipped["q"].reason == "its \"method\" is not a string");
}

TEST_CASE("issued_at: written and read back; absent in older stores; a wrong type is corrupt") {
  Credentials c;
  Profile p = sample("alice");
  p.issued_at = p.expires.value() - 60;
  c.profiles["a"] = p;
  c.profiles["old"] = sample("bob");  // no issued_at: as a store of an earlier version
  const nlohmann::json doc = to_json(c);
  CHECK(doc["profiles"]["a"]["issued_at"] == 1795346471);
  CHECK_FALSE(doc["profiles"]["old"].contains("issued_at"));
  const Credentials back = from_json(doc, "test");
  CHECK(back.find("a")->issued_at == 1795346471);
  CHECK(back.find("a")->extra.empty());  // a known field, not an unknown one kept
  CHECK_FALSE(back.find("old")->issued_at.has_value());
  nlohmann::json wrong = doc;
  wrong["profiles"]["a"]["issued_at"] = "yesterday";
  CHECK_THROWS_AS(from_json(wrong, "test"), Error);
  nlohmann::json nexterm = doc;  // a Nexterm session has no lifetime: dropped, as seconds is
  nexterm["profiles"]["a"]["kind"] = "nexterm";
  nexterm["profiles"]["a"]["token"] = std::string(96, 'a');
  CHECK_FALSE(from_json(nexterm, "test").find("a")->issued_at.has_value());
}
