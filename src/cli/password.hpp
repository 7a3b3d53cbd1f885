// Where a password comes from: --password-stdin, --password-file, AUTHCTL_PASSWORD,
// NEURON_PASSWORD, or a no-echo prompt on a terminal. Never from argv, never stored.
#pragma once

#include <optional>
#include <string>

#include "cli/context.hpp"

// CLI11 costs ~12 s of compile time in every file that includes it (it emits its parser
// and validators there): headers only name its types.
namespace CLI {
class App;
}  // namespace CLI

namespace authctl::cli {

struct PasswordOptions {
  bool from_stdin = false;
  std::string file;
};

void add_password_options(CLI::App* command, PasswordOptions& options);

// The whole of a file the user named (a secret file, --cacert, ...): a symlink is followed
// (CI mounts secrets that way), but a FIFO, device or folder is an Error at once, never a
// hang (O_NONBLOCK, then fstat of the target); more than max_size bytes is an Error too.
// nullopt when the file cannot be opened. `what` names it in messages ("--password-file").
std::optional<std::string> read_user_file(const std::string& path, const std::string& what,
                                          size_t max_size = 1024 * 1024);

// The same, or all of standard input when `path` is "-".
std::optional<std::string> read_file_or_stdin(const std::string& path, const std::string& what,
                                              size_t max_size = 1024 * 1024);

// The first line of a secret's file (--password-file, --passphrase-file, ...), without its
// line ending, read as above; nullopt when the file cannot be opened. Callers word their
// own errors.
std::optional<std::string> first_line_of(const std::string& path,
                                         const std::string& what = "the file");

// The password from stdin, the file, or the environment; nullopt when none is given.
std::optional<std::string> password_without_prompt(const PasswordOptions& options);

// The selected profile with a token valid for at least min_valid (refreshed under the store
// lock when needed, or logged in again with a password available without a prompt).
// Returns the profile name in `name`.
// With `kind` given, a profile of another kind is refused (Error(usage)) before any request.
store::Profile fresh_profile(Context& context, int64_t min_valid, const PasswordOptions& password,
                             std::string& name, std::optional<store::Kind> kind = {},
                             const std::string& command = {});

// As above, else a prompt when a person can be asked; else Error(auth, exit 4) naming the
// four ways, at once (never a hang).
std::string obtain_password(const Context& context, const PasswordOptions& options,
                            const std::string& prompt);

}  // namespace authctl::cli
