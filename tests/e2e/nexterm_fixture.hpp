// A Nexterm broker with an admin account, a private config dir, and helpers for its flows.
#pragma once

#include "fixture.hpp"

namespace e2e {

inline const char* kAdmin = "admin";
inline const char* kAdminPassword = "Adm1n-pass-word";

struct NextermFixture {
  TempDir tmp;
  testbroker::Broker broker;
  std::map<std::string, std::string> env;

  explicit NextermFixture(testbroker::Options options = with_kind()) : broker(std::move(options)) {
    broker.start();
    broker.add_nexterm_account(kAdmin, kAdminPassword, false, true);
    env["AUTHCTL_CONFIG_DIR"] = tmp.path() + "/config";
  }
  static testbroker::Options with_kind() {
    testbroker::Options o;
    o.kind = testbroker::Kind::nexterm;
    return o;
  }

  std::string store_path() const { return tmp.path() + "/config/credentials.json"; }
  nlohmann::json store() const { return nlohmann::json::parse(read_file(store_path())); }
  std::string host() const { return broker.url().substr(broker.url().find("://") + 3); }

  Result run(std::vector<std::string> args, std::map<std::string, std::string> extra = {},
             std::string input = {}) const {
    Invocation inv{std::move(args), env, std::move(input)};
    for (auto& [k, v] : extra) inv.env[k] = v;
    return e2e::run(inv);
  }
  Invocation invocation(std::vector<std::string> args) const {
    return Invocation{std::move(args), env, ""};
  }

  Result login(const std::string& user = kAdmin, const std::string& password = kAdminPassword,
               std::vector<std::string> extra_args = {},
               std::map<std::string, std::string> extra_env = {}) const {
    std::vector<std::string> args{"login", "--host", broker.url(), "-u", user, "--password-stdin"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run(args, extra_env, password + "\n");
  }

  // Moves the broker clock so that it is `offset` seconds into a TOTP step whose code for
  // `user` satisfies `want` (and, when next_ok is given, whose next step's code does too).
  std::string align_totp(const std::string& user, int offset, bool leading_zero,
                         bool next_ok = false) {
    for (int i = 0; i < 2000; ++i) {
      int64_t now = broker.now();
      int64_t step_start = now - now % 30 + 30;  // the next step, always ahead
      std::string code = broker.nexterm_totp_code(user, step_start);
      std::string next = broker.nexterm_totp_code(user, step_start + 30);
      bool fits = (code[0] == '0') == leading_zero && (!next_ok || next[0] != '0');
      broker.advance_clock(fits ? step_start + offset - now : step_start - now);
      if (fits) return code;
    }
    FAIL("no TOTP step found");
    return {};
  }
};

}  // namespace e2e
