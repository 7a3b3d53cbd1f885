// Benchmark: what a `token --watch` sidecar costs over 10 minutes (AUTHCTL_BENCH_MINUTES) of
// 60-second tokens, in real time: renewals, wake-ups between them, CPU time per renewal and
// peak RSS, beside a bare libcurl program making the same Refresh request
// (bench/refresh_curl.c). Targets (issue 13): peak RSS at most 4 MiB above the libcurl
// program's, under 50 ms of CPU per renewal, no wake-up between renewals more often than
// every 30 s. Exits 1 when a target is missed.
//
// Wake-ups are read off /proc/PID/status once a second: a second in which the watcher's
// voluntary context switches grew and the broker saw no Refresh is an idle wake-up.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker.hpp"
#include "harness.hpp"

using namespace e2e;

namespace {

long status_field(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  return -1;
}

double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "(comm) ".
  return (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) / sysconf(_SC_CLK_TCK);
}

struct Watched {
  int renewals = 0;
  std::vector<int> idle_wakeups;  // seconds since start
  double cpu = 0;
  long peak_rss_kb = 0;
};

Watched watch_for(testbroker::Broker& broker, Process& watcher, int seconds) {
  Watched w;
  const int pid = watcher.pid();
  long switches = status_field(pid, "voluntary_ctxt_switches");
  int refreshes = broker.count("/Agent/Account/Refresh");
  for (int t = 1; t <= seconds; ++t) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long now_switches = status_field(pid, "voluntary_ctxt_switches");
    const int now_refreshes = broker.count("/Agent/Account/Refresh");
    if (now_refreshes == refreshes && now_switches > switches) w.idle_wakeups.push_back(t);
    w.renewals += now_refreshes - refreshes;
    switches = now_switches;
    refreshes = now_refreshes;
  }
  w.cpu = cpu_seconds(pid);
  w.peak_rss_kb = status_field(pid, "VmHWM");
  return w;
}

// The shortest time between two idle wake-ups, or between one and the start (s).
int shortest_idle_gap(const std::vector<int>& wakeups) {
  int shortest = 1 << 30, last = 0;
  for (int t : wakeups) {
    shortest = std::min(shortest, t - last);
    last = t;
  }
  return shortest;
}

long baseline_rss_kb(const std::string& url, const std::string& sink) {
  const Result r = run_program(REFRESH_CURL_BINARY, {url, sink}, {});
  long status = 0, kb = -1;
  std::istringstream(r.out) >> status >> kb;
  if (status != 200) fprintf(stderr, "bench: the libcurl baseline got HTTP %ld\n", status);
  return kb;
}

}  // namespace

int main() {
  const char* minutes_text = getenv("AUTHCTL_BENCH_MINUTES");
  const int minutes = minutes_text ? std::max(1, atoi(minutes_text)) : 10;
  TempDir tmp;
  testbroker::Broker broker;
  broker.start();
  broker.add_neuron_account("bench", "bench-password-1", "bench@example.com");
  const std::map<std::string, std::string> env{{"AUTHCTL_CONFIG_DIR", tmp.path() + "/config"}};
  if (run({{"login", "--host", broker.url(), "-u", "bench", "--password-stdin", "--seconds", "60"},
           env,
           "bench-password-1\n"})
          .exit_code != 0)
    return 2;
  const std::string sink = tmp.path() + "/token";
  chmod(tmp.path().c_str(), 0700);
  Process watcher({{"token", "--watch", "--sink", sink, "--min-valid", "10s"}, env, ""});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Watched w = watch_for(broker, watcher, minutes * 60);
  const long baseline = baseline_rss_kb(broker.url(), sink);
  watcher.signal(SIGTERM);
  watcher.wait();
  const double cpu_ms = w.renewals ? 1000 * w.cpu / w.renewals : 1e9;
  const int gap = shortest_idle_gap(w.idle_wakeups);
  const bool ok = w.renewals > 0 && w.peak_rss_kb - baseline <= 4096 && cpu_ms < 50 && gap >= 29;
  printf("token --watch, %d minutes of 60-second tokens (--min-valid 10s):\n", minutes);
  printf("  renewals: %d\n", w.renewals);
  printf("  idle wake-ups: %zu, the shortest gap %d s (target: at least 30 s, 1 s resolution)\n",
         w.idle_wakeups.size(), gap);
  printf("  CPU: %.0f ms in all, %.1f ms per renewal (target: under 50 ms)\n", 1000 * w.cpu,
         cpu_ms);
  printf("  peak RSS: %ld kB; a bare libcurl Refresh: %ld kB; %+ld kB (target: at most +4096)\n",
         w.peak_rss_kb, baseline, w.peak_rss_kb - baseline);
  printf("  %s\n", ok ? "OK" : "MISSED");
  return ok ? 0 : 1;
}
