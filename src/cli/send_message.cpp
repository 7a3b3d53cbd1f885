// authctl send-message --to JID [--subject S] [--language L] TEXT|-: an XMPP text message
// through the Neuron (Xmpp/SendTextMessage), sent as the profile's account.
#include <iostream>
#include <iterator>

#include "backends/neuron.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace authctl::cli {

namespace {

struct SendOptions {
  std::string to, subject, language, text;
};

void run_send_message(Context& context, const SendOptions& options) {
  std::string text = options.text;
  if (text == "-")
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
  if (text.empty())
    throw Error(ExitCode::usage, "the message is empty", "give TEXT, or - to read it from stdin");
  std::string name;
  const store::Profile profile =
      fresh_profile(context, 60, PasswordOptions{}, name, store::Kind::neuron, "send-message");
  const backends::TextMessage message{options.to, text, options.subject, options.language};
  const std::string id = context.neuron(profile).send_text_message(profile.token, message);
  if (context.global.json)
    context.print_json({{"profile", name}, {"sent", true}, {"id", id}, {"to", options.to}});
  else
    std::cout << text::printable(id) << "\n";
}

}  // namespace

void register_send_message(CLI::App& app, Context& context) {
  auto options = std::make_shared<SendOptions>();
  auto* cmd =
      app.add_subcommand("send-message", "Neuron: send an XMPP text message; prints its id");
  cmd->add_option("--to", options->to, "Recipient: a bare or full JID")
      ->required()
      ->type_name("JID");
  cmd->add_option("--subject", options->subject, "Subject")->type_name("TEXT");
  cmd->add_option("--language", options->language, "Language code, e.g. en")->type_name("LANG");
  cmd->add_option("text", options->text, "The message, or - to read it from stdin")
      ->required()
      ->type_name("TEXT");
  cmd->callback([&context, options] { run_send_message(context, *options); });
}

}  // namespace authctl::cli
