// A broker with one seeded Neuron account and a private config dir, plus helpers to run
// authctl against it. Each test gets its own broker (ephemeral port) and store.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "broker.hpp"
#include "harness.hpp"

namespace e2e {

inline const char* kUser = "alice";
inline const char* kPassword = "S3cret-Passw0rd-xyz";
inline const char* kEmail = "alice@example.com";

// Broker options for HTTPS with a test PKI made in `dir` (ca.pem there); `trusted` false:
// a certificate that the test CA did not sign.
inline testbroker::Options tls_options(const std::string& dir, bool trusted = true) {
  testbroker::Options o;
  o.tls = true;
  o.tls_files = trusted ? testbroker::make_test_pki(dir) : testbroker::make_untrusted_pki(dir);
  return o;
}

struct NeuronFixture {
  TempDir tmp;
  testbroker::Broker broker;
  std::map<std::string, std::string> env;

  explicit NeuronFixture(testbroker::Options options = {}) : broker(with_defaults(options)) {
    broker.start();
    broker.add_neuron_account(kUser, kPassword, kEmail);
    env["AUTHCTL_CONFIG_DIR"] = config_dir();
  }

  static testbroker::Options with_defaults(testbroker::Options options) { return options; }

  std::string config_dir() const { return tmp.path() + "/config"; }
  std::string store_path() const { return config_dir() + "/credentials.json"; }
  nlohmann::json store() const { return nlohmann::json::parse(read_file(store_path())); }

  Result run(std::vector<std::string> args, std::map<std::string, std::string> extra = {},
             std::string input = {}) const {
    Invocation inv{std::move(args), env, std::move(input)};
    for (auto& [k, v] : extra) inv.env[k] = v;
    return e2e::run(inv);
  }

  // login with the password on stdin; extra args appended
  Result login(std::vector<std::string> extra_args = {}, std::string password = kPassword) const {
    std::vector<std::string> args{"login", "--host", broker.url(), "-u", kUser, "--password-stdin"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run(args, {}, password + "\n");
  }

  std::string profile_name() const {
    return std::string(kUser) + "@" + broker.url().substr(broker.url().find("://") + 3);
  }
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// How often `what` stands in `text` (overlapping runs too).
inline size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace e2e
