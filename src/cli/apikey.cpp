// authctl apikey: create, list and revoke Nexterm API keys (for CI: `login --with-token`).
#include <iomanip>
#include <iostream>

#include "backends/nexterm.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct ApiKeyCreateOptions {
  std::string name;
  std::string expires;
};

// --expires takes a date (2027-01-31), an RFC 3339 time, or a duration from now (90d). A
// time that has passed is refused before anything is sent: the key would be dead at birth.
std::string expires_at(const std::string& text) {
  std::optional<int64_t> when = timeutil::parse_iso8601(text);
  if (!when) when = timeutil::parse_iso8601(text + "T00:00:00Z");
  if (!when)
    if (auto d = timeutil::parse_duration(text)) when = timeutil::now() + *d;
  if (!when)
    throw Error(ExitCode::usage, "--expires '" + text + "' is not a date",
                "use YYYY-MM-DD, an RFC 3339 time, or a duration such as 90d");
  if (*when <= timeutil::now())
    throw Error(
        ExitCode::usage,
        "--expires " + text + " is not in the future (" + timeutil::format_rfc3339(*when) + ")",
        "give a later date, or a duration from now such as 90d");
  return timeutil::format_rfc3339(*when);
}

void run_apikey_create(Context& context, const ApiKeyCreateOptions& options) {
  std::optional<std::string> expires;
  if (!options.expires.empty()) expires = expires_at(options.expires);
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "apikey create");
  auto key = context.nexterm(profile).create_api_key(profile.token, options.name, expires);
  if (context.global.json) {
    context.print_json({{"profile", name},
                        {"id", key.id},
                        {"name", key.name},
                        {"prefix", key.prefix},
                        {"expires_at", json_time(key.expires_at)},
                        {"token", key.token}});
  } else {
    std::cout << key.token << "\n";
    std::cerr << "Created API key " << key.id << " (" << text::printable(key.name)
              << "). It is shown only this once: store it now.\n";
  }
}

void run_apikey_list(Context& context) {
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "apikey list");
  auto keys = context.nexterm(profile).api_keys(profile.token);
  if (context.global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& k : keys)
      list.push_back({{"id", k.id},
                      {"name", k.name},
                      {"prefix", k.prefix},
                      {"created_at", json_time(k.created_at)},
                      {"expires_at", json_time(k.expires_at)},
                      {"last_used_at", json_time(k.last_used_at)}});
    context.print_json({{"profile", name}, {"apikeys", list}});
    return;
  }
  if (keys.empty()) {
    std::cerr << "No API keys\n";
    return;
  }
  const int64_t now = timeutil::now() + profile.clock_offset;
  std::cout << term::pad("ID", 6) << term::pad("NAME", 20) << term::pad("PREFIX", 16)
            << term::pad("LAST USED", 16) << "EXPIRES\n";
  for (const auto& k : keys) {
    std::cout << term::pad(std::to_string(k.id), 6) << term::pad(text::printable(k.name), 20)
              << term::pad(k.prefix.empty() ? "-" : text::printable(k.prefix) + "\u2026", 16)
              << term::pad(k.last_used_at
                               ? timeutil::format_relative(std::min(*k.last_used_at, now), now)
                               : "never",
                           16)
              << (k.expires_at ? timeutil::format_relative(*k.expires_at, now) : "never") << "\n";
  }
}

void run_revoke(Context& context, int64_t id) {
  auto [name, profile] = context.selected_profile(store::Kind::nexterm, "apikey revoke");
  context.nexterm(profile).revoke_api_key(profile.token, id);
  if (context.global.json)
    context.print_json({{"profile", name}, {"revoked", id}});
  else
    std::cerr << "Revoked API key " << id << "\n";
}

}  // namespace

void register_apikey(CLI::App& app, Context& context) {
  auto create = std::make_shared<ApiKeyCreateOptions>();
  auto revoke_id = std::make_shared<int64_t>(0);
  auto* cmd = app.add_subcommand("apikey", "Nexterm: create, list and revoke API keys");
  cmd->require_subcommand(1);
  auto* c = cmd->add_subcommand("create", "Create an API key and print it once on stdout");
  c->add_option("name", create->name, "A name for the key")->required()->type_name("NAME");
  c->add_option("--expires", create->expires,
                "Expiry: YYYY-MM-DD, RFC 3339, or a duration such as 90d")
      ->type_name("DATE");
  c->callback([&context, create] { run_apikey_create(context, *create); });
  auto* l = cmd->add_subcommand("list", "List the account's API keys");
  l->callback([&context] { run_apikey_list(context); });
  auto* r = cmd->add_subcommand("revoke", "Revoke an API key by id");
  r->add_option("id", *revoke_id, "The key's id (see apikey list)")->required()->type_name("ID");
  r->callback([&context, revoke_id] { run_revoke(context, *revoke_id); });
}

}  // namespace authctl::cli
