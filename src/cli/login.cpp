// authctl login: log in and store the session as a profile.
#include <cstdlib>
#include <iostream>

#include "backends/neuron.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct LoginOptions {
  std::string host;
  std::string kind;
  std::string user;
  PasswordOptions password;
  int64_t seconds = 3600;
  bool allow_http = false;
  bool force = false;
  bool no_store = false;
  bool print_token = false;
};

std::string env_or(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* env = getenv(name);
  return env ? env : "";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string detect_kind(net::HttpClient& http, const HostSpec& host) {
  backends::NeuronClient neuron(http, host.origin);
  if (!neuron.domain_info().is_null()) return "neuron";
  throw Error(
      ExitCode::error,
      host.authority + " does not look like a Neuron (no JSON from /Agent/Account/DomainInfo)",
      "check --host, or give --kind");
}

void run_login(Context& context, LoginOptions options) {
  options.host = env_or(options.host, "NEURON_HOST");
  options.user = env_or(options.user, "NEURON_USER");
  if (options.host.empty())
    throw Error(ExitCode::usage, "login needs --host",
                "give --host HOST[:PORT] or set NEURON_HOST");
  const HostSpec host = parse_host(options.host, options.allow_http);
  if (options.user.empty()) {
    if (!context.can_prompt())
      throw Error(ExitCode::usage, "login needs a user name", "give -u USER or set NEURON_USER");
    auto typed = term::prompt_line("User name for " + host.authority + ": ");
    if (!typed || typed->empty())
      throw Error(ExitCode::usage, "no user name entered", "give -u USER");
    options.user = *typed;
  }
  const std::string name = context.explicit_profile().empty()
                               ? lower(options.user + "@" + host.authority)
                               : context.explicit_profile();
  store::Store store = context.open_store();
  auto check_name = [&](const store::Credentials& credentials) {
    const store::Profile* existing = credentials.find(name);
    if (existing && existing->url != host.origin && !options.force)
      throw Error(ExitCode::usage, "profile " + name + " belongs to " + existing->url,
                  "choose another name with -p NAME, or replace it with --force");
  };
  if (!options.no_store) check_name(store.load());  // fail before asking anything

  // All local checks are done before the password is asked for or a request is made.
  std::string password = obtain_password(
      context, options.password, "Password for " + options.user + "@" + host.authority + ": ");
  const std::string& cacert = context.global.cacert;  // flag or AUTHCTL_CA_BUNDLE
  net::HttpClient http(context.client_options(host.origin, cacert));
  http.add_secret(password);
  std::string kind = options.kind.empty() ? detect_kind(http, host) : options.kind;

  backends::NeuronClient neuron(http, host.origin);
  backends::NeuronToken token = neuron.login(options.user, password, options.seconds);
  crypto::wipe(password);

  store::Profile profile;
  profile.kind = kind;
  profile.url = host.origin;
  profile.user = options.user;
  profile.token = token.jwt;
  profile.expires = token.expires;
  profile.seconds = options.seconds;
  profile.clock_offset = token.clock_offset;
  if (!cacert.empty()) {
    char* absolute = realpath(cacert.c_str(), nullptr);
    profile.cacert = absolute ? absolute : cacert;
    free(absolute);
  }
  if (!options.no_store) {
    store.update([&](store::Credentials& credentials) {
      check_name(credentials);  // again under the lock: another login may have raced
      credentials.profiles[name] = profile;
      credentials.current = name;
      return true;
    });
  }

  const int64_t server_now = timeutil::now() + token.clock_offset;
  if (context.global.json) {
    nlohmann::json out = {
        {"profile", options.no_store ? nlohmann::json(nullptr) : nlohmann::json(name)},
        {"kind", kind},
        {"url", host.origin},
        {"user", options.user},
        {"expires_at", timeutil::format_rfc3339(token.expires)}};
    if (options.print_token) out["token"] = token.jwt;
    context.print_json(out);
  } else if (options.print_token) {
    std::cout << token.jwt << "\n";
  }
  if (!context.global.json) {
    std::cerr << "Logged in to " << host.origin << " as " << options.user << " (token expires "
              << timeutil::format_relative(token.expires, server_now) << ")"
              << (options.no_store ? "; nothing stored" : "; profile " + name) << "\n";
  }
}

}  // namespace

void register_login(CLI::App& app, Context& context) {
  auto options = std::make_shared<LoginOptions>();
  auto* cmd = app.add_subcommand("login", "Log in and store the session as a profile");
  cmd->add_option("--host", options->host, "HOST[:PORT] or https://HOST[:PORT] (env NEURON_HOST)")
      ->type_name("HOST");
  cmd->add_option("--kind", options->kind, "Server kind; detected when omitted")
      ->check(CLI::IsMember({"neuron"}))
      ->type_name("neuron");
  cmd->add_option("-u,--user", options->user, "User name (env NEURON_USER)")->type_name("NAME");
  add_password_options(cmd, options->password);
  cmd->add_option("--seconds", options->seconds, "Neuron token lifetime, 1..3600 (default 3600)")
      ->check(CLI::Range(1, 3600))
      ->type_name("N");
  cmd->add_flag("--allow-http", options->allow_http, "Allow plain http to a non-loopback host");
  cmd->add_flag("--force", options->force, "Replace a profile of the same name on another URL");
  cmd->add_flag("--no-store", options->no_store, "Write nothing to disk");
  cmd->add_flag("--print-token", options->print_token, "Print the token on stdout");
  cmd->callback([&context, options] { run_login(context, *options); });
}

}  // namespace authctl::cli
