// authctl-testbroker: runs the test broker on loopback for scripts and manual tests.
//
//   authctl-testbroker [--port N] [--bind 127.0.0.1|::1] [--domain D] [--tls DIR]
//                      [--kind neuron|nexterm] [--production]
//                      [--user U --password-file F [--email E] [--disabled]]...
//                      [--api-key K --api-secret-file F]...
//                      [--nexterm-user U --password-file F [--totp] [--admin]]...
//
// Prints one line, the base URL (e.g. http://127.0.0.1:40123), then serves until SIGINT or
// SIGTERM. --tls DIR makes a fresh test PKI in DIR and serves HTTPS (CA at DIR/ca.pem).
// Accounts can also be added at run time: POST /_test/accounts, POST /_test/nexterm/accounts
// (see broker.hpp). --kind nexterm serves the Nexterm API instead of the Neuron one;
// --production makes its unknown GET routes answer with the web UI's index.html.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker.hpp"

namespace {

struct Seed {
  std::string user, password_file, email;
  bool enabled = true;
};

struct ApiKey {
  std::string key, secret_file;
};

struct NextermSeed {
  std::string user, password_file;
  bool totp = false, admin = false;
};

[[noreturn]] void usage(const std::string& error) {
  std::cerr << "authctl-testbroker: " << error << "\n"
            << "usage: authctl-testbroker [--port N] [--bind 127.0.0.1|::1] [--domain D] "
               "[--tls DIR]\n"
               "                          [--kind neuron|nexterm] [--production]\n"
               "                          [--user U --password-file F [--email E] "
               "[--disabled]]...\n"
               "                          [--api-key K --api-secret-file F]...\n"
               "                          [--nexterm-user U --password-file F [--totp] "
               "[--admin]]...\n";
  std::exit(2);
}

// The file's content without one trailing newline (as `echo secret > file` writes it).
std::string read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  testbroker::Options options;
  std::string tls_dir;
  std::vector<Seed> seeds;
  std::vector<ApiKey> keys;
  std::vector<NextermSeed> nexterm_seeds;
  bool production = false;
  enum class Last { none, neuron, nexterm } last = Last::none;  // whose --password-file

  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--port") {
      try {
        options.port = std::stoi(value());
      } catch (const std::exception&) {
        usage("--port needs a number");
      }
      if (options.port < 0 || options.port > 65535) usage("--port out of range");
    } else if (a == "--bind") {
      options.bind = value();
    } else if (a == "--domain") {
      options.domain = value();
    } else if (a == "--tls") {
      tls_dir = value();
    } else if (a == "--kind") {
      std::string kind = value();
      if (kind == "neuron") {
        options.kind = testbroker::Kind::neuron;
      } else if (kind == "nexterm") {
        options.kind = testbroker::Kind::nexterm;
      } else {
        usage("--kind must be neuron or nexterm");
      }
    } else if (a == "--production") {
      production = true;
    } else if (a == "--user") {
      seeds.push_back({value(), "", "", true});
      last = Last::neuron;
    } else if (a == "--nexterm-user") {
      nexterm_seeds.push_back({value(), "", false, false});
      last = Last::nexterm;
    } else if (a == "--password-file" && last == Last::nexterm) {
      nexterm_seeds.back().password_file = value();
    } else if (a == "--totp" || a == "--admin") {
      if (last != Last::nexterm) usage(a + " must follow --nexterm-user");
      if (a == "--totp") nexterm_seeds.back().totp = true;
      if (a == "--admin") nexterm_seeds.back().admin = true;
    } else if (a == "--password-file" || a == "--email" || a == "--disabled") {
      if (last != Last::neuron) usage(a + " must follow --user");
      if (a == "--password-file") seeds.back().password_file = value();
      if (a == "--email") seeds.back().email = value();
      if (a == "--disabled") seeds.back().enabled = false;
    } else if (a == "--api-key") {
      keys.push_back({value(), ""});
    } else if (a == "--api-secret-file") {
      if (keys.empty()) usage("--api-secret-file must follow --api-key");
      keys.back().secret_file = value();
    } else if (a == "-h" || a == "--help") {
      usage("help");
    } else {
      usage("unknown argument: " + a);
    }
  }

  // Block the stop signals before any thread starts (all threads inherit the mask), then
  // wait for them with sigwait. SIGPIPE stays blocked too: a dropped client is not fatal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t blocked = signals;
  sigaddset(&blocked, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  try {
    if (!tls_dir.empty()) {
      options.tls = true;
      options.tls_files = testbroker::make_test_pki(tls_dir);
    }
    testbroker::Broker broker(options);
    for (const Seed& s : seeds) {
      if (s.password_file.empty()) usage("--user " + s.user + " needs --password-file");
      std::string email = s.email.empty() ? s.user + "@example.com" : s.email;
      broker.add_neuron_account(s.user, read_secret(s.password_file), email, s.enabled);
    }
    for (const ApiKey& k : keys) {
      if (k.secret_file.empty()) usage("--api-key " + k.key + " needs --api-secret-file");
      broker.add_api_key(k.key, read_secret(k.secret_file));
    }
    for (const NextermSeed& s : nexterm_seeds) {
      if (s.password_file.empty()) usage("--nexterm-user " + s.user + " needs --password-file");
      broker.add_nexterm_account(s.user, read_secret(s.password_file), s.totp, s.admin);
    }
    broker.set_production_mode(production);
    broker.start();
    std::cout << broker.url() << std::endl;

    int sig = 0;
    sigwait(&signals, &sig);
    broker.stop();
  } catch (const std::exception& e) {
    std::cerr << "authctl-testbroker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
