#include "cli/password.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>

#include "backends/session.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/refresh_rule.hpp"
#include "core/timeutil.hpp"
#include "store/fd.hpp"
#include "store/file_checks.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {
void strip_newline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}
}  // namespace

void add_password_options(CLI::App* command, PasswordOptions& options) {
  auto* in = command->add_flag("--password-stdin", options.from_stdin,
                               "Read the password from standard input");
  command->add_option("--password-file", options.file, "Read the password from FILE (first line)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile.description(""))
      ->excludes(in);
}

std::optional<std::string> read_user_file(const std::string& path, const std::string& what,
                                          size_t max_size) {
  const store::Fd fd(store::open_user_file(path, what));
  if (!fd) return std::nullopt;
  return store::read_all(fd.get(), path, max_size);
}

std::optional<std::string> read_file_or_stdin(const std::string& path, const std::string& what,
                                              size_t max_size) {
  if (path != "-") return read_user_file(path, what, max_size);
  return store::read_all(STDIN_FILENO, what, max_size);
}

std::optional<std::string> first_line_of(const std::string& path, const std::string& what) {
  auto text = read_user_file(path, what);
  if (!text) return std::nullopt;
  std::string line = text->substr(0, text->find('\n'));
  crypto::wipe(*text);
  strip_newline(line);
  return line;
}

std::optional<std::string> password_without_prompt(const PasswordOptions& options) {
  std::string password;
  if (options.from_stdin) {
    password.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    strip_newline(password);
    if (password.empty())
      throw Error(ExitCode::auth, "--password-stdin: standard input was empty",
                  "pipe the password in, e.g. authctl login ... --password-stdin < file");
    return password;
  }
  if (!options.file.empty()) {
    auto line = first_line_of(options.file, "--password-file");
    if (!line)
      throw Error(ExitCode::error, "cannot read --password-file " + options.file,
                  "check that it exists and is readable by you");
    password = std::move(*line);
    if (password.empty())
      throw Error(ExitCode::auth, "--password-file " + options.file + " is empty",
                  "put the password on its first line");
    return password;
  }
  for (const char* name : {"AUTHCTL_PASSWORD", "NEURON_PASSWORD"}) {
    if (const char* value = getenv(name); value && *value) return std::string(value);
  }
  return std::nullopt;
}

store::Profile fresh_profile(Context& context, int64_t min_valid, const PasswordOptions& password,
                             std::string& name, std::optional<store::Kind> kind,
                             const std::string& command) {
  store::Store store = context.open_store();
  const auto credentials = store.load();
  warn_unusable(credentials);
  name = context.select_profile(credentials);
  store::Profile profile = *credentials.find(name);
  if (kind) Context::require_kind(name, profile, *kind, command);
  store::require_secret(name, profile);
  // The common case needs no lock and no request: the stored token is fresh enough.
  if (refresh_rule::fresh_enough(profile.expires, profile.clock_offset, min_valid, timeutil::now()))
    return profile;
  return backends::ensure_valid(
             store, name, min_valid,
             [&](const store::Profile& p) { return context.client_options(p.url, p.cacert); },
             [&] { return password_without_prompt(password); })
      .profile;
}

std::string obtain_password(const Context& context, const PasswordOptions& options,
                            const std::string& prompt) {
  if (auto password = password_without_prompt(options)) return *password;
  if (context.can_prompt()) {
    if (auto typed = term::prompt_secret(prompt); typed && !typed->empty()) return *typed;
    throw Error(ExitCode::auth, "no password entered", "run the command again and type it");
  }
  throw Error(ExitCode::auth, "a password is needed and " + context.why_no_prompt(),
              "use --password-stdin, --password-file FILE, AUTHCTL_PASSWORD or NEURON_PASSWORD");
}

}  // namespace authctl::cli
