// authctl account: Neuron onboarding as the Neuron quick start gives it. `create` makes a
// (disabled) account with the operator's API key and stores its token as a profile;
// `verify-email` / `verify-phone` enable it with the codes sent; `resend-codes` asks again.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "backends/neuron.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/profiles.hpp"
#include "cli/validators.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/host.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

struct AccountCreateOptions {
  std::string host, user, email, phone, api_key, api_secret_file;
  std::string secure_storage;
  PasswordOptions password;
  int64_t seconds = 3600;
  bool allow_http = false, force = false;
};

// What verification still awaits is kept in the profile (fields of its own).
std::vector<std::string>& pending(store::Profile& profile) {
  if (!profile.unverified) profile.unverified.emplace();
  return *profile.unverified;
}

// The usage errors of account create, before anything is read or sent.
void check_create_options(const AccountCreateOptions& options) {
  if (options.host.empty())
    throw Error(ExitCode::usage, "account create needs --host",
                "give --host HOST[:PORT] or set NEURON_HOST");
  if (options.user.empty() || options.user.find('@') != std::string::npos)
    throw Error(ExitCode::usage, "account create needs -u USER (without @)", "or set NEURON_USER");
  if (options.email.empty())
    throw Error(ExitCode::usage, "account create needs --email", "or set NEURON_EMAIL");
  if (options.api_key.empty())
    throw Error(ExitCode::usage, "account create needs the operator's API key",
                "give --api-key or set NEURON_API_KEY");
}

// The operator's API secret: the first line of --api-secret-file, else NEURON_API_SECRET.
std::string api_secret(const AccountCreateOptions& options) {
  std::string secret;
  if (!options.api_secret_file.empty()) {
    secret = first_line_of(options.api_secret_file).value_or("");
  } else if (const char* env = getenv("NEURON_API_SECRET"); env && *env) {
    secret = env;
  }
  if (secret.empty())
    throw Error(ExitCode::usage, "account create needs the API secret",
                "give --api-secret-file FILE or set NEURON_API_SECRET (never on the command line)");
  return secret;
}

// Account/Create on `host`: the new account's session, as the profile `name` to store. What
// verification awaits is noted in the profile.
NewSession create_account(Context& context, const AccountCreateOptions& options,
                          const HostSpec& host, std::string name, std::string& secret) {
  backends::NeuronClient::NewAccount account{options.user,    options.email, options.phone,  "",
                                             options.api_key, secret,        options.seconds};
  account.password = obtain_password(context, options.password,
                                     "Password for the new account " + options.user + ": ");
  bool enabled = false;
  const auto token = context.neuron_at(host).create_account(account, &enabled);
  crypto::wipe(account.password);
  crypto::wipe(secret);
  crypto::wipe(account.api_secret);
  NewSession session{std::move(name),
                     new_profile(context, store::Kind::neuron, store::LoginMethod::password,
                                 host.origin, options.user, token.jwt, token.clock_offset)};
  store::Profile& profile = session.profile;
  profile.expires = token.expires;
  profile.issued_at = token.issued_at;
  profile.seconds = options.seconds;
  profile.enabled = enabled;
  profile.email = options.email;
  profile.phone = options.phone;
  if (!enabled) {
    pending(profile).push_back("email");
    if (!options.phone.empty()) pending(profile).push_back("phone");
  }
  return session;
}

void run_account_create(Context& context, const AccountCreateOptions& options) {
  check_create_options(options);
  std::string secret = api_secret(options);
  const HostSpec host = context.host_option(options.host, options.allow_http, "--host");
  const std::string name = profile_name_for(context, options.user, host.authority);
  prepare_store(context, name, host.origin, options.user, options.force);
  const NewSession session = create_account(context, options, host, name, secret);
  finish_login(context, session, options.force, false);
  LoginOutput output;
  output.created = true;
  print_login(context, session, output);
  if (!context.global.json && !*session.profile.enabled)
    std::cerr << "The account is not enabled yet: enter the code sent to "
              << text::printable(options.email) << " with authctl account verify-email CODE"
              << (options.phone.empty() ? "" : " (and the SMS code with account verify-phone CODE)")
              << "\n";
}

// {"profile","verified":"email"|"phone","enabled","unverified":[...]}, or a line.
void print_verified(const Context& context, const std::string& name, const char* what,
                    const std::vector<std::string>& left) {
  if (context.global.json) {
    context.print_json(
        {{"profile", name}, {"verified", what}, {"enabled", left.empty()}, {"unverified", left}});
    return;
  }
  std::string still;
  for (const auto& item : left) still += (still.empty() ? "" : ", ") + item;
  std::cerr << (std::string(what) == "phone" ? "Phone number" : "E-mail address") << " verified"
            << (left.empty() ? "; the account is enabled" : "; still to verify: " + still) << "\n";
}

void run_verify(Context& context, bool phone, const std::string& code_text) {
  if (code_text.empty() || code_text.size() > 9 ||
      code_text.find_first_not_of("0123456789") != std::string::npos)
    throw Error(ExitCode::usage, "'" + code_text + "' is not a verification code",
                "give the digits you received");
  // Not a structured binding: the lambda below captures the name (clang 14 refuses that).
  const auto selected = context.selected_profile(
      store::Kind::neuron, phone ? "account verify-phone" : "account verify-email");
  const std::string& name = selected.first;
  const store::Profile& profile = selected.second;
  const std::string& address = phone ? profile.phone : profile.email;
  if (address.empty())
    throw Error(ExitCode::usage,
                std::string("profile ") + name + " has no " +
                    (phone ? "phone number" : "e-mail address") + " to verify",
                "it was not made with authctl account create");
  context.neuron(profile).verify(profile.token, phone, address, std::stoll(code_text));
  std::vector<std::string> left;  // still to verify
  context.open_store().update([&](store::Credentials& credentials) {
    auto it = credentials.profiles.find(name);
    if (it == credentials.profiles.end()) return false;
    auto& list = pending(it->second);
    list.erase(std::remove(list.begin(), list.end(), phone ? "phone" : "email"), list.end());
    if (list.empty()) it->second.enabled = true;
    left = list;
    return true;
  });
  print_verified(context, name, phone ? "phone" : "email", left);
}

void run_resend(Context& context) {
  auto [name, profile] = context.selected_profile(store::Kind::neuron, "account resend-codes");
  const std::string& email = profile.email;
  if (email.empty())
    throw Error(ExitCode::usage, "profile " + name + " has no e-mail address",
                "it was not made with authctl account create");
  context.neuron(profile).resend_codes(profile.token, email, profile.phone);
  if (context.global.json)
    context.print_json({{"profile", name},
                        {"email", email},
                        {"phone", profile.phone.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(profile.phone)}});
  else
    std::cerr << "New codes sent to " << email << "\n";
}

}  // namespace

void register_account(CLI::App& app, Context& context) {
  auto create = std::make_shared<AccountCreateOptions>();
  auto code = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("account", "Neuron: create an account and verify it");
  cmd->require_subcommand(1);
  auto* c = cmd->add_subcommand("create",
                                "Create an account (disabled until verified) and store its token");
  c->add_option("--host", create->host, "HOST[:PORT] or https://HOST[:PORT]")
      ->envname("NEURON_HOST")
      ->type_name("HOST");
  c->add_option("-u,--user", create->user, "The new user name (no @)")
      ->envname("NEURON_USER")
      ->type_name("NAME");
  c->add_option("--email", create->email, "E-mail address (a code is sent there)")
      ->envname("NEURON_EMAIL")
      ->type_name("EMAIL");
  c->add_option("--phone", create->phone, "Phone number (an SMS code is sent there)")
      ->type_name("PHONE");
  c->add_option("--api-key", create->api_key, "The operator's API key")
      ->envname("NEURON_API_KEY")
      ->type_name("KEY");
  c->add_option("--api-secret-file", create->api_secret_file,
                "The API secret, first line of FILE (or NEURON_API_SECRET)")
      ->check(CLI::ExistingFile.description(""))
      ->type_name("FILE");
  add_password_options(c, create->password);
  add_secure_storage_option(c, create->secure_storage);
  c->add_option("--seconds", create->seconds, "Token lifetime, 1..3600 (default 3600)")
      ->check(CLI::Range(1, 3600).description(""))
      ->type_name("N");
  c->add_flag("--allow-http", create->allow_http, "Allow plain http to a non-loopback host");
  c->add_flag("--force", create->force, "Replace a profile of the same name on another URL");
  c->callback([&context, create] {
    use_secure_storage(context, create->secure_storage);
    run_account_create(context, *create);
  });
  auto* ve = cmd->add_subcommand("verify-email", "Enter the code sent by e-mail");
  ve->add_option("code", *code, "The code")->required()->type_name("CODE");
  ve->callback([&context, code] { run_verify(context, false, *code); });
  auto* vp = cmd->add_subcommand("verify-phone", "Enter the code sent by SMS");
  vp->add_option("code", *code, "The code")->required()->type_name("CODE");
  vp->callback([&context, code] { run_verify(context, true, *code); });
  auto* rs = cmd->add_subcommand("resend-codes", "Send the verification codes again");
  rs->callback([&context] { run_resend(context); });
}

}  // namespace authctl::cli
