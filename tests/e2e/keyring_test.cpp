// login --secure-storage keyring against a real Secret Service (gnome-keyring-daemon in a
// private dbus-run-session, keyring_fixture.hpp): the token only in the keyring, every
// command on such a profile, and a keyring that is unreachable, locked, empty or hung.
#include <signal.h>

#include <chrono>

#include "keyring_fixture.hpp"
#include "nexterm_fixture.hpp"

using namespace e2e;

namespace {

// A Neuron fixture whose authctl reaches the keyring of `keyring`.
struct KeyringNeuron : NeuronFixture {
  KeyringSession keyring;
  KeyringNeuron() {
    for (const auto& [k, v] : keyring.env()) env[k] = v;
  }
  std::string token() const { return run({"token"}).out; }
};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("login --secure-storage keyring: the token is in the keyring and nowhere in the store") {
  KeyringNeuron f;
  const Result login = f.login({"--secure-storage", "keyring"});
  REQUIRE_MESSAGE(login.exit_code == 0, login.err);
  const auto profile = f.store()["profiles"][f.profile_name()];
  CHECK(profile["storage"] == "keyring");
  CHECK_FALSE(profile.contains("token"));
  const Result token = f.run({"token"});
  REQUIRE_MESSAGE(token.exit_code == 0, token.err);
  const std::string jwt = first_line(token.out);
  REQUIRE(jwt.size() > 40);
  const std::string items = f.keyring.authctl_items();
  CHECK(contains(items, jwt));
  CHECK(contains(items, "attribute.profile = " + f.profile_name()));
  CHECK(contains(items, "attribute.url = " + f.broker.url()));
  CHECK_FALSE(contains(all_files_under(f.config_dir()), jwt));
  // The item can be looked up by its attributes alone, as any Secret Service client would.
  const Result lookup = f.keyring.secret_tool({"lookup", "profile", f.profile_name()});
  CHECK(contains(lookup.out, jwt));

  const Result status = f.run({"status"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "(keyring)"));
  const auto listed = nlohmann::json::parse(f.run({"status", "--json"}).out);
  CHECK(listed["profiles"][0]["storage"] == "keyring");
}

TEST_CASE(
    "AUTHCTL_SECURE_STORAGE=keyring chooses the keyring; --secure-storage file wins over it") {
  KeyringNeuron f;
  REQUIRE(f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"},
                {{"AUTHCTL_SECURE_STORAGE", "keyring"}}, std::string(kPassword) + "\n")
              .exit_code == 0);
  CHECK(f.store()["profiles"][f.profile_name()]["storage"] == "keyring");
  // Logging in again without the option keeps the profile in the keyring.
  REQUIRE(f.login().exit_code == 0);
  CHECK(f.store()["profiles"][f.profile_name()]["storage"] == "keyring");
  CHECK(contains(f.keyring.authctl_items(), first_line(f.token())));
  // A login to the file under the same name removes the keyring item it replaces.
  const Result to_file =
      f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin", "--secure-storage",
             "file"},
            {{"AUTHCTL_SECURE_STORAGE", "keyring"}}, std::string(kPassword) + "\n");
  REQUIRE_MESSAGE(to_file.exit_code == 0, to_file.err);
  const auto profile = f.store()["profiles"][f.profile_name()];
  CHECK_FALSE(profile.contains("storage"));
  CHECK(profile["token"].get<std::string>().size() > 40);
  CHECK_FALSE(contains(f.keyring.authctl_items(), "attribute.profile"));
  const Result bad = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin"},
                           {{"AUTHCTL_SECURE_STORAGE", "vault"}}, std::string(kPassword) + "\n");
  CHECK(bad.exit_code == 2);
}

TEST_CASE(
    "a keyring profile: refresh writes the keyring, 20 parallel token calls make one Refresh") {
  KeyringNeuron f;
  REQUIRE(f.login({"--secure-storage", "keyring", "--seconds", "100"}).exit_code == 0);
  const std::string before = first_line(f.token());
  f.broker.set_latency_ms(50);
  std::vector<Invocation> all(20, Invocation{{"token", "--min-valid", "5m"}, f.env, ""});
  const auto results = run_parallel(all);
  f.broker.set_latency_ms(0);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 1);
  for (const auto& r : results) {
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == results.front().out);
  }
  const std::string renewed = first_line(results.front().out);
  CHECK(renewed != before);
  const std::string items = f.keyring.authctl_items();
  CHECK(contains(items, renewed));
  CHECK_FALSE(contains(items, before));
  CHECK_FALSE(contains(all_files_under(f.config_dir()), renewed));

  const Result refresh = f.run({"refresh", "--json"});
  REQUIRE_MESSAGE(refresh.exit_code == 0, refresh.err);
  CHECK(f.broker.count("/Agent/Account/Refresh") == 2);
  CHECK(contains(f.keyring.authctl_items(), first_line(f.token())));
}

TEST_CASE(
    "a keyring profile: exec and token --watch hand over its token; logout removes the item") {
  KeyringNeuron f;
  REQUIRE(f.login({"--secure-storage", "keyring"}).exit_code == 0);
  const std::string jwt = first_line(f.token());
  const Result exec = f.run({"exec", "--", "/bin/sh", "-c", "printf %s \"$AUTHCTL_TOKEN\""});
  REQUIRE_MESSAGE(exec.exit_code == 0, exec.err);
  CHECK(exec.out == jwt);

  const std::string sink = f.tmp.path() + "/sink";
  Process watch(Invocation{{"token", "--watch", "--sink", sink, "--json"}, f.env, ""});
  const std::string event = watch.next_line(15000);
  CHECK_MESSAGE(contains(event, "\"event\""), watch.err_so_far());
  CHECK(read_file(sink) == jwt);
  watch.signal(SIGTERM);
  watch.wait();

  const Result logout = f.run({"logout"});
  REQUIRE_MESSAGE(logout.exit_code == 0, logout.err);
  CHECK(f.broker.count("/Agent/Account/Logout") == 1);
  CHECK_FALSE(contains(f.keyring.authctl_items(), "attribute.profile"));
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("Nexterm login keeps the session token in the keyring") {
  NextermFixture f;
  KeyringSession keyring;
  for (const auto& [k, v] : keyring.env()) f.env[k] = v;
  const Result login = f.login(kAdmin, kAdminPassword, {"--secure-storage", "keyring"});
  REQUIRE_MESSAGE(login.exit_code == 0, login.err);
  const auto profile = f.store()["profiles"][std::string(kAdmin) + "@" + f.host()];
  CHECK(profile["storage"] == "keyring");
  const Result token = f.run({"token"});
  REQUIRE(token.exit_code == 0);
  CHECK(contains(keyring.authctl_items(), first_line(token.out)));
  CHECK_FALSE(contains(all_files_under(f.tmp.path() + "/config"), first_line(token.out)));
  CHECK(f.run({"sessions", "list"}).exit_code == 0);
  CHECK(f.run({"device-link", "--help"}).out.find("--secure-storage") != std::string::npos);
}

TEST_CASE("no keyring reachable: login exits 1 saying so, asks no server and stores nothing") {
  NeuronFixture f;
  for (const std::string bus : {"unix:path=/nonexistent/bus", ""}) {
    const Result r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin",
                            "--secure-storage", "keyring"},
                           {{"DBUS_SESSION_BUS_ADDRESS", bus}}, std::string(kPassword) + "\n");
    CHECK(r.exit_code == 1);
    CHECK(count_of(r.err, "\n") == 1);
    CHECK(contains(r.err, "keyring cannot be reached"));
    CHECK(contains(r.err, "--secure-storage file"));
  }
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  CHECK_FALSE(std::filesystem::exists(f.store_path()));

  KeyringSession bare(KeyringSession::Mode::no_service);
  const Result r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin",
                          "--secure-storage", "keyring"},
                         bare.env(), std::string(kPassword) + "\n");
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(contains(r.err, "no Secret Service"), r.err);
  CHECK_FALSE(std::filesystem::exists(f.store_path()));
}

TEST_CASE("a keyring profile whose keyring is unreachable exits 1; whose item is gone exits 4") {
  KeyringNeuron f;
  REQUIRE(f.login({"--secure-storage", "keyring"}).exit_code == 0);
  const std::string stored = read_file(f.store_path());
  const Result away = f.run({"token"}, {{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent"}});
  CHECK(away.exit_code == 1);
  CHECK(count_of(away.err, "\n") == 1);
  CHECK(contains(away.err, "keeps its token in the keyring"));
  CHECK(read_file(f.store_path()) == stored);  // nothing lost
  const Result status = f.run({"status"}, {{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent"}});
  CHECK(status.exit_code == 1);
  CHECK(contains(status.out, "(keyring unreachable)"));
  // Completion's list of names does not need the keyring at all.
  const Result names =
      f.run({"status", "--names"}, {{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent"}});
  CHECK(names.exit_code == 0);
  CHECK(names.out == f.profile_name() + "\n");

  REQUIRE(f.keyring.secret_tool({"clear", "profile", f.profile_name()}).exit_code == 0);
  const Result gone = f.run({"token"});
  CHECK(gone.exit_code == 4);
  CHECK(contains(gone.err, "gone from the keyring"));
  CHECK(contains(gone.err, "--secure-storage keyring"));  // the login that makes it again
  CHECK(read_file(f.store_path()) == stored);
  // logout of such a profile removes it here (there is no token to end the session with).
  const Result logout = f.run({"logout"});
  CHECK_MESSAGE(logout.exit_code == 0, logout.err);
  CHECK(f.store()["profiles"].empty());
}

TEST_CASE("a locked keyring under --no-input or CI=true: exit 1 at once, no prompt") {
  KeyringNeuron f;
  REQUIRE(f.login({"--secure-storage", "keyring"}).exit_code == 0);
  f.keyring.lock();
  for (const auto& extra : std::vector<std::map<std::string, std::string>>{{{"CI", "true"}}, {}}) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> args{"token"};
    if (extra.empty()) args.insert(args.begin(), "--no-input");
    const Result r = f.run(args, extra);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.err, "locked"), r.err);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  const Result login = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin",
                              "--secure-storage", "keyring", "-p", "second"},
                             {{"CI", "true"}}, std::string(kPassword) + "\n");
  CHECK(login.exit_code == 1);
  CHECK(contains(login.err, "locked"));
  CHECK_FALSE(f.store()["profiles"].contains("second"));
}

TEST_CASE("a keyring that does not answer: every call gives up after 10 s") {
  KeyringNeuron f;
  REQUIRE(f.login({"--secure-storage", "keyring"}).exit_code == 0);
  REQUIRE(kill(f.keyring.keyring_pid(), SIGSTOP) == 0);
  const auto start = std::chrono::steady_clock::now();
  const Result r = f.run({"token"});
  const auto took = std::chrono::steady_clock::now() - start;
  kill(f.keyring.keyring_pid(), SIGCONT);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(contains(r.err, "did not answer within 10 s"), r.err);
  CHECK(took >= std::chrono::seconds(9));
  CHECK(took < std::chrono::seconds(20));
  CHECK(f.run({"token"}).exit_code == 0);  // and it works again once the keyring answers
}

TEST_CASE("a session bus that never answers: login --secure-storage keyring gives up after 10 s") {
  NeuronFixture f;
  KeyringSession silent(KeyringSession::Mode::silent);
  const auto start = std::chrono::steady_clock::now();
  const Result r = f.run({"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin",
                          "--secure-storage", "keyring"},
                         silent.env(), std::string(kPassword) + "\n");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(contains(r.err, "did not answer within 10 s"), r.err);
  CHECK(took < std::chrono::seconds(15));
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  CHECK_FALSE(std::filesystem::exists(f.store_path()));
}

TEST_CASE("an authctl without its keyring plugin: exit 1 naming it, nothing stored or asked") {
  KeyringNeuron f;
  // The launcher loads the app from its own folder first, and the app the plugin from its
  // own: a copy of the two without the plugin is an install that lacks it.
  const std::string built = authctl_binary();
  const std::string folder = built.substr(0, built.rfind('/'));
  const std::string copy = f.tmp.path() + "/bin";
  std::filesystem::create_directory(copy);
  std::filesystem::copy_file(built, copy + "/authctl");
  std::filesystem::copy_file(folder + "/libauthctl-app.so", copy + "/libauthctl-app.so");
  const Result r = run_program(copy + "/authctl",
                               {"login", "--host", f.broker.url(), "-u", kUser, "--password-stdin",
                                "--secure-storage", "keyring"},
                               f.env, std::string(kPassword) + "\n");
  CHECK(r.exit_code == 1);
  CHECK(count_of(r.err, "\n") == 1);
  CHECK_MESSAGE(contains(r.err, "keyring support of authctl cannot be loaded"), r.err);
  CHECK(contains(r.err, "--secure-storage file"));
  CHECK(f.broker.count("/Agent/Account/Login") == 0);
  CHECK_FALSE(std::filesystem::exists(f.store_path()));
}
