// authctl whoami: who the stored token belongs to, and until when.
#include <iostream>

#include "backends/session_client.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/jwt.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

void run_whoami(Context& context) {
  store::Store store = context.open_store();
  const auto credentials = store.load();
  const std::string name = context.select_profile(credentials);
  const store::Profile& profile = *credentials.find(name);
  store::require_secret(name, profile);
  const backends::Account account = context.connect(profile)->account();
  const nlohmann::json claims =
      jwt::decode_claims(profile.token).value_or(nlohmann::json::object());
  const std::string user = account.user.empty() ? profile.user : account.user;
  if (context.global.json) {
    // What the server sent (its account answer, the token's claims) only under "server".
    nlohmann::json out = profile_json(name, profile);
    out["user"] = user;
    out["server"] = {{"account", account.server}, {"claims", claims}};
    context.print_json(out);
    return;
  }
  const int64_t server_now = timeutil::now() + profile.clock_offset;
  std::cout << text::printable(user) << " on " << text::printable(profile.url) << " ("
            << store::kind_name(profile.kind) << ", profile " << text::printable(name) << ")\n";
  if (profile.expires)
    std::cout << "token expires " << timeutil::format_relative(*profile.expires, server_now) << " ("
              << timeutil::format_rfc3339(*profile.expires) << ")\n";
  else
    std::cout << (backends::holds_api_key(profile) ? "API key" : "session")
              << ", does not expire\n";
  for (const auto& field : account.fields)
    std::cout << field.name << ": " << text::printable(field.text) << "\n";
  if (!claims.empty()) {
    std::cout << "claims:\n";
    // The token's text: escaped.
    for (const auto& claim : backends::token_claim_fields(claims))
      std::cout << "  " << text::printable(claim.name) << ": " << text::printable(claim.text)
                << "\n";
  }
}

}  // namespace

void register_whoami(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("whoami", "Who the stored token belongs to, and until when");
  cmd->callback([&context] { run_whoami(context); });
}

}  // namespace authctl::cli
