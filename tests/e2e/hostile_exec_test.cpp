// Issue 9, point 7: `exec` passes a token, not the account. The child gets none of the
// account's secrets, and the umask and core-dump limit authctl was started with (the 077
// umask and the zero soft core limit are for authctl itself). Run as a non-root user: as
// root, a lowered hard limit could be raised back and the test would prove nothing.
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.hpp"

using namespace e2e;

namespace {

constexpr uid_t kNobody = 65534;

const char* const kAccountSecrets[] = {"AUTHCTL_PASSWORD",    "NEURON_PASSWORD",
                                       "AUTHCTL_TOTP_SECRET", "AUTHCTL_PASSKEY_PASSPHRASE",
                                       "NEURON_API_SECRET",   "AUTHCTL_PASSKEY_FILE"};

// A store with a fresh Neuron token (no request needed), owned by `uid`, in a folder that
// uid can reach.
void seed_store(const TempDir& tmp, const std::string& config, uid_t uid) {
  chmod(tmp.path().c_str(), 0711);
  mkdir(config.c_str(), 0700);
  write_file(
      config + "/credentials.json",
      R"({"version":1,"current":"p","profiles":{"p":{"kind":"neuron","url":"https://h.example",)"
      R"("user":"u","token":"aaaa.bbbb.cccc","expires":)" +
          std::to_string(time(nullptr) + 3600) + R"(,"seconds":3600,"clock_offset":0}}})");
  REQUIRE(chown(config.c_str(), uid, uid) == 0);
  REQUIRE(chown((config + "/credentials.json").c_str(), uid, uid) == 0);
}

// `script` in sh, as a non-root user when we are root (CI), with `env`.
Result run_as_user(const std::string& script, const std::map<std::string, std::string>& env) {
  if (geteuid() != 0) return run_program("/bin/sh", {"-c", script}, env);
  return run_program("/usr/bin/setpriv",
                     {"--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script},
                     env);
}

// The value of KEY=VALUE on a line of `out`, or "<none>".
std::string value_of(const std::string& out, const std::string& key) {
  const std::string text = "\n" + out, mark = "\n" + key + "=";
  size_t at = text.find(mark);
  if (at == std::string::npos) return "<none>";
  at += mark.size();
  return text.substr(at, text.find('\n', at) - at);
}

}  // namespace

TEST_CASE("exec: the child gets the starting umask and core limits, and no account secrets") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  const uid_t uid = geteuid() == 0 ? kNobody : geteuid();
  seed_store(tmp, config, uid);
  std::map<std::string, std::string> env{
      {"AUTHCTL_CONFIG_DIR", config}, {"HOME", tmp.path()}, {"PATH", "/usr/bin:/bin"}};
  for (const char* name : kAccountSecrets) env[name] = std::string("secret-") + name;
  env["AUTHCTL_KEEP_ME"] = "kept";
  // The starting state: umask 022, a soft core limit of 2048 blocks, the hard one as it is.
  const std::string child =
      "echo UMASK=$(umask); echo SOFT=$(ulimit -c); echo HARD=$(ulimit -Hc); env";
  const std::string script =
      "umask 022; ulimit -S -c 2048 || exit 99; echo OUTER_HARD=$(ulimit -Hc); "
      "exec '" +
      authctl_binary() + "' exec -- sh -c '" + child + "'";
  auto r = run_as_user(script, env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(value_of(r.out, "UMASK") == "0022");
  CHECK(value_of(r.out, "SOFT") == "2048");
  CHECK(value_of(r.out, "HARD") == value_of(r.out, "OUTER_HARD"));
  CHECK(value_of(r.out, "HARD") != "<none>");
  for (const char* name : kAccountSecrets) {
    CAPTURE(name);
    CHECK_FALSE(contains(r.out, std::string(name) + "="));
    CHECK_FALSE(contains(r.out, std::string("secret-") + name));
  }
  CHECK(value_of(r.out, "AUTHCTL_KEEP_ME") == "kept");
  CHECK(value_of(r.out, "AUTHCTL_TOKEN") == "aaaa.bbbb.cccc");

  // A stricter start is passed on too (umask 027, no core dumps at all).
  const std::string strict = "umask 027; ulimit -S -c 0; exec '" + authctl_binary() +
                             "' exec -- sh -c 'echo UMASK=$(umask); echo SOFT=$(ulimit -c)'";
  auto s = run_as_user(strict, env);
  REQUIRE_MESSAGE(s.exit_code == 0, s.err);
  CHECK(value_of(s.out, "UMASK") == "0027");
  CHECK(value_of(s.out, "SOFT") == "0");
}

TEST_CASE("exec: a command that cannot be run is exit 127 with the reason") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  seed_store(tmp, config, geteuid());
  auto r = run({{"exec", "--", "no-such-command-here"}, {{"AUTHCTL_CONFIG_DIR", config}}, ""});
  CHECK(r.exit_code == 127);
  CHECK(contains(r.err, "cannot run no-such-command-here"));
  auto code = run({{"exec", "--", "sh", "-c", "exit 7"}, {{"AUTHCTL_CONFIG_DIR", config}}, ""});
  CHECK(code.exit_code == 7);
}

TEST_CASE("SSLKEYLOGFILE given to authctl makes no file appear (and never reaches exec)") {
  TempDir tmp;
  const testbroker::Options options = tls_options(tmp.path() + "/pki");
  testbroker::Broker broker(options);
  broker.start();
  broker.add_neuron_account(kUser, kPassword, kEmail);
  // The check can fail: libcurl here does write the file when a client lets it.
  const std::string curl_keys = tmp.path() + "/curl-keys";
  auto curl = run_program("/usr/bin/curl",
                          {"-s", "-o", "/dev/null", "--cacert", options.tls_files.ca_cert,
                           broker.url() + "/Agent/Account/DomainInfo"},
                          {{"SSLKEYLOGFILE", curl_keys}});
  const bool curl_writes = access(curl_keys.c_str(), F_OK) == 0;
  const std::string keys = tmp.path() + "/keys";
  std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", tmp.path() + "/c"},
                                         {"SSLKEYLOGFILE", keys}};
  auto r = run({{"login", "--host", broker.url(), "-u", kUser, "--password-stdin", "--cacert",
                 options.tls_files.ca_cert},
                env,
                std::string(kPassword) + "\n"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(access(keys.c_str(), F_OK) != 0);
  auto e = run({{"exec", "--", "sh", "-c", "echo KEYLOG=${SSLKEYLOGFILE-unset}"}, env, ""});
  CHECK(e.out == "KEYLOG=unset\n");
  if (!curl_writes) MESSAGE("this curl does not write SSLKEYLOGFILE: the file check is weaker");
  (void)curl;
}
