// authctl verify-jwt [-]: ask the Neuron (AuthenticateJwt) whether a token is valid, and show
// its claims. The token is the profile's, or one read from stdin with "-" (never argv).
#include <iostream>
#include <iterator>

#include "backends/neuron.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::cli {

namespace {

void run_verify_jwt(Context& context, const std::string& source) {
  auto [name, profile] = context.selected_profile(store::Kind::neuron, "verify-jwt");
  std::string token;
  if (source == "-") {
    token.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    if (token.empty()) throw Error(ExitCode::usage, "no token on stdin", "pipe the JWT in");
  } else if (!source.empty()) {
    throw Error(ExitCode::usage,
                "verify-jwt takes a token only from stdin ('-'), never as an argument",
                "echo \"$JWT\" | authctl verify-jwt -");
  }
  const backends::VerifiedToken verified =
      context.neuron(profile).authenticate_jwt(profile.token, token);
  if (context.global.json) {  // only a valid token gets here: the broker answers 403 else
    context.print_json({{"profile", name},
                        {"valid", true},
                        {"expires_at", json_time(verified.expires)},
                        {"server", verified.server}});
    return;
  }
  // Claims are the server's text: shown escaped.
  auto shown = [](const std::optional<std::string>& text) {
    return text::printable(text.value_or("-"));
  };
  std::cout << "valid token (" << shown(verified.algorithm) << ")\n"
            << "issuer:  " << shown(verified.issuer) << "\n"
            << "subject: " << shown(verified.subject) << "\n";
  if (verified.expires)
    std::cout << "expires: " << timeutil::format_rfc3339(*verified.expires) << " ("
              << timeutil::format_relative(*verified.expires,
                                           timeutil::now() + profile.clock_offset)
              << ")\n";
  if (verified.claims) {
    std::cout << "claims:\n";
    for (const auto& claim : *verified.claims)
      std::cout << "  " << text::printable(claim.name) << ": " << text::printable(claim.text)
                << "\n";
  }
}

}  // namespace

void register_verify_jwt(CLI::App& app, Context& context) {
  auto source = std::make_shared<std::string>();
  auto* cmd =
      app.add_subcommand("verify-jwt", "Neuron: validate the stored token (or - for one on stdin)");
  cmd->add_option("source", *source, "- to read the token from stdin")->type_name("-");
  cmd->callback([&context, source] { run_verify_jwt(context, *source); });
}

}  // namespace authctl::cli
