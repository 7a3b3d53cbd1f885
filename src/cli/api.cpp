// authctl api [-X METHOD] PATH [-f KEY=VALUE]... [--input FILE|-] [-i]: an authenticated call
// to the profile's own server, for what no command covers yet.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "backends/api_call.hpp"
#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

struct ApiOptions {
  std::string method;
  std::string path;
  std::vector<std::string> fields;
  std::string input;
  bool include = false;
};

// KEY=VALUE typed (true/false/null, numbers, else a string); KEY:=JSON taken as JSON.
nlohmann::json body_from_fields(const std::vector<std::string>& fields) {
  nlohmann::json body = nlohmann::json::object();
  for (const auto& field : fields) {
    auto eq = field.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ExitCode::usage, "-f '" + field + "' is not KEY=VALUE", "e.g. -f seconds=600");
    if (field[eq - 1] == ':') {
      auto raw = nlohmann::json::parse(field.substr(eq + 1), nullptr, false);
      if (raw.is_discarded())
        throw Error(ExitCode::usage, "-f '" + field + "': the value after := is not JSON",
                    "e.g. -f 'ids:=[1,2]'");
      body[field.substr(0, eq - 1)] = raw;
      continue;
    }
    const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
    auto typed = nlohmann::json::parse(value, nullptr, false);
    const bool scalar =
        !typed.is_discarded() && (typed.is_boolean() || typed.is_number() || typed.is_null());
    body[key] = scalar ? typed : nlohmann::json(value);
  }
  return body;
}

// The body as the server sent it, for a pipe (jq, a file). On a terminal, each line is
// escaped: a body must not rewrite the screen, set the title or write the clipboard.
void print_body(const std::string& body) {
  if (!term::is_tty(STDOUT_FILENO)) {
    std::cout << body;
  } else {
    for (size_t at = 0; at < body.size();) {
      size_t end = body.find('\n', at);
      if (end == std::string::npos) end = body.size();
      std::cout << text::printable(std::string_view(body).substr(at, end - at)) << "\n";
      at = end + 1;
    }
    return;
  }
  if (!body.empty() && body.back() != '\n') std::cout << "\n";
}

void run_api(Context& context, const ApiOptions& options) {
  std::optional<std::string> body;
  if (!options.fields.empty()) {
    body = body_from_fields(options.fields).dump();
  } else if (!options.input.empty()) {
    const std::optional<std::string> read = read_file_or_stdin(options.input, "--input");
    if (!read)
      throw Error(ExitCode::usage, "cannot read --input " + options.input, "check the path");
    const std::string& text = *read;
    if (nlohmann::json::parse(text, nullptr, false).is_discarded())
      throw Error(ExitCode::usage, "--input is not JSON", "give a JSON document");
    body = text;
  }
  std::string name;
  // Checks the path before anything else: the token never goes to another server.
  {
    auto [selected, profile] = context.selected_profile();
    (void)backends::api_url(profile, options.path);
  }
  const store::Profile profile = fresh_profile(context, 60, PasswordOptions{}, name);
  const std::string url = backends::api_url(profile, options.path);
  const std::string method = !options.method.empty() ? options.method : body ? "POST" : "GET";
  const backends::ApiAnswer answer = backends::api_call(
      context.client_options(profile.url, profile.cacert), profile, method, url, body);
  if (options.include) {
    std::cout << "HTTP " << answer.status << "\n";
    for (const auto& line : answer.header_lines) std::cout << text::printable(line) << "\n";
    std::cout << "\n";
  }
  print_body(answer.body);
  std::cout.flush();
  context.exit_code = answer.exit_code;
  if (context.exit_code != 0)
    std::cerr << "authctl: " << method << " " << options.path << " answered "
              << text::printable(answer.summary) << "\n";
}

}  // namespace

void register_api(CLI::App& app, Context& context) {
  auto options = std::make_shared<ApiOptions>();
  auto* cmd = app.add_subcommand("api", "Authenticated call to the profile's own server");
  cmd->add_option("-X,--method", options->method, "HTTP method (default GET, or POST with a body)")
      ->check(CLI::IsMember({"GET", "POST", "PUT", "PATCH", "DELETE"}).description(""))
      ->type_name("GET|POST|PUT|PATCH|DELETE");
  cmd->add_option("path", options->path, "/PATH, or a URL of the profile's own server")
      ->required()
      ->type_name("PATH");
  auto* fields = cmd->add_option("-f,--field", options->fields,
                                 "Body field: KEY=VALUE (typed) or KEY:=JSON; repeatable")
                     ->type_name("KEY=VALUE");
  cmd->add_option("--input", options->input, "JSON body from FILE, or - for stdin")
      ->type_name("FILE")
      ->excludes(fields);
  cmd->add_flag("-i,--include", options->include,
                "Print the status and headers first (secrets redacted)");
  cmd->callback([&context, options] { run_api(context, *options); });
}

}  // namespace authctl::cli
