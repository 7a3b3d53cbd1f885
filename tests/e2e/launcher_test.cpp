// The launcher serves the token cache hit without loading the rest of authctl (libcurl,
// OpenSSL, CLI11 live in libauthctl-app.so), and hands everything else over to it.
#include <sys/stat.h>

#include <filesystem>

#include "fixture.hpp"

using namespace e2e;

namespace {
void seed_store(const std::string& dir, const std::string& expires) {
  mkdir(dir.c_str(), 0700);
  write_file(dir + "/credentials.json",
             R"({"version":1,"current":"p","profiles":{"p":{"kind":"neuron","url":"https://h",)"
             R"("user":"u","token":"h.tok-fresh.s","expires":)" +
                 expires + R"(,"seconds":3600,"clock_offset":0}}})");
}
}  // namespace

TEST_CASE("a token cache hit loads neither libcurl nor OpenSSL; other commands do") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  seed_store(config, std::to_string(time(nullptr) + 3600));
  std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", config}, {"LD_DEBUG", "libs"}};
  auto hit = run({{"token"}, env, ""});
  CHECK(hit.exit_code == 0);
  CHECK(hit.out == "h.tok-fresh.s\n");
  CHECK_FALSE(contains(hit.err, "libcurl"));
  CHECK_FALSE(contains(hit.err, "libcrypto"));
  CHECK_FALSE(contains(hit.err, "libauthctl-app"));
  for (auto args :
       std::vector<std::vector<std::string>>{{"-p", "p", "token", "--min-valid", "5m"},
                                             {"token", "--min-valid=30m", "--profile=p"}}) {
    auto r = run({args, env, ""});
    CHECK(r.out == "h.tok-fresh.s\n");
    CHECK_FALSE(contains(r.err, "libcurl"));
  }
  auto status = run({{"status"}, env, ""});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.err, "libcurl"));           // the check above can fail
  auto json = run({{"token", "--json"}, env, ""});  // not the fast path's business
  CHECK(contains(json.err, "libauthctl-app"));
  CHECK(nlohmann::json::parse(json.out)["token"] == "h.tok-fresh.s");
}

TEST_CASE("without libauthctl-app.so: the cache hit still works, the rest says what is wrong") {
  TempDir tmp;
  const std::string config = tmp.path() + "/c";
  seed_store(config, std::to_string(time(nullptr) + 3600));
  const std::string lonely = tmp.path() + "/authctl";
  std::filesystem::copy_file(authctl_binary(), lonely);
  auto hit = run_program(lonely, {"token"}, {{"AUTHCTL_CONFIG_DIR", config}});
  CHECK(hit.out == "h.tok-fresh.s\n");
  auto other = run_program(lonely, {"status"}, {{"AUTHCTL_CONFIG_DIR", config}});
  CHECK(other.exit_code == 1);
  CHECK(contains(other.err, "cannot load the rest of authctl"));
  // a token that needs a refresh is handed over too (and so fails the same way here)
  seed_store(config, std::to_string(time(nullptr) + 30));
  CHECK(run_program(lonely, {"token"}, {{"AUTHCTL_CONFIG_DIR", config}}).exit_code == 1);
}
