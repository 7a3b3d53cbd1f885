// Benchmark: `authctl sessions kill` of 500 sessions on a Nexterm broker that adds 20 ms to
// every request, parallel (default 8 connections) against one at a time (--parallel 1).
// The design's target: at least 6x faster. Exits 1 when the target is missed.
//
// Runs the real authctl binary against the test broker on 127.0.0.1, like the e2e tests.
#include <chrono>
#include <cstdio>
#include <string>

#include "broker.hpp"
#include "harness.hpp"

using namespace e2e;

namespace {

constexpr int kSessions = 500;
constexpr int kLatencyMs = 20;

double kill_all(testbroker::Broker& broker, const std::map<std::string, std::string>& env,
                const std::string& parallel) {
  broker.set_latency_ms(0);
  for (int i = 0; i < kSessions; ++i) broker.nexterm_session("admin", "bench " + std::to_string(i));
  broker.set_latency_ms(kLatencyMs);
  auto start = std::chrono::steady_clock::now();
  auto r = run({{"sessions", "kill", "--others", "--yes", "--parallel", parallel}, env, ""});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  broker.set_latency_ms(0);
  size_t killed = 0;
  for (size_t pos = 0; (pos = r.out.find("killed ", pos)) != std::string::npos; ++pos) ++killed;
  if (r.exit_code != 0 || killed != kSessions) {
    fprintf(stderr, "bench: kill --parallel %s failed (exit %d, %zu killed): %s\n",
            parallel.c_str(), r.exit_code, killed, r.err.c_str());
    exit(2);
  }
  return seconds;
}

}  // namespace

int main() {
  TempDir tmp;
  testbroker::Options options;
  options.kind = testbroker::Kind::nexterm;
  testbroker::Broker broker(options);
  broker.start();
  broker.add_nexterm_account("admin", "bench-password", false, true);
  std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", tmp.path() + "/config"}};
  auto login = run({{"login", "--host", broker.url(), "-u", "admin", "--password-stdin"},
                    env,
                    "bench-password\n"});
  if (login.exit_code != 0) {
    fprintf(stderr, "bench: login failed: %s\n", login.err.c_str());
    return 2;
  }
  const double serial = kill_all(broker, env, "1");
  const double parallel = kill_all(broker, env, "8");
  const double speedup = serial / parallel;
  printf("sessions kill, %d sessions, %d ms per request:\n", kSessions, kLatencyMs);
  printf("  one at a time (--parallel 1): %.2f s\n", serial);
  printf("  parallel (--parallel 8):      %.2f s\n", parallel);
  printf("  speedup: %.1fx (target: at least 6x) %s\n", speedup, speedup >= 6 ? "OK" : "MISSED");
  return speedup >= 6 ? 0 : 1;
}
