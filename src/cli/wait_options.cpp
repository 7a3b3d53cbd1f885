#include "cli/wait_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/validators.hpp"
#include "core/timeutil.hpp"
#include "term/qr.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

PlannedWait wait_plan(const Context& context, const WaitOptions& options, int64_t default_interval,
                      int64_t local_expiry, std::string label) {
  WaitRequest request;
  request.interval = options.interval;
  request.wait = options.wait;
  request.default_interval = default_interval;
  request.expiry = local_expiry;
  request.label = std::move(label);
  return wait_plan(context, std::move(request));
}

bool want_qr(const WaitOptions& options) {
  if (options.show_qr == "always") return true;
  if (options.show_qr == "never") return false;
  return term::is_tty(STDERR_FILENO);
}

void show_qr(const Context& context, const WaitOptions& options, const std::string& payload) {
  if (!want_qr(options)) return;
  const std::string qr = term::render_qr(payload, term::qr_style_for_locale(), context.colors());
  const size_t columns = term::terminal_columns(STDERR_FILENO);
  size_t width = 0;
  bool in_escape = false;  // colour codes take no room
  for (unsigned char c : qr.substr(0, qr.find('\n'))) {
    if (c == 0x1b)
      in_escape = true;
    else if (in_escape)
      in_escape = c != 'm';
    else
      width += (c & 0xC0) != 0x80;
  }
  if (columns && width > columns) {  // a wrapped QR code cannot be scanned
    term::warn("the terminal is too narrow for the QR code (" + std::to_string(width) +
               " columns needed); use the link instead");
    return;
  }
  std::cerr << qr;
}

void add_wait_options(CLI::App* command, WaitOptions& options, bool with_qr_content) {
  command->add_option("--interval", options.interval, "Polling period (at least 1s)")
      ->check(duration_validator(3600, 1))
      ->type_name("DURATION");
  command
      ->add_option("--show-qr", options.show_qr,
                   "Draw the QR code: auto (stderr is a tty), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""))
      ->type_name("auto|always|never");
  if (with_qr_content)
    command
        ->add_option("--qr-content", options.qr_content,
                     "What the QR code holds: the url, or the app link")
        ->check(CLI::IsMember({"url", "app"}).description(""))
        ->type_name("url|app");
  command
      ->add_option("--wait", options.wait,
                   "How long to wait for approval (default: the code's lifetime)")
      ->check(duration_validator(24 * 3600))
      ->type_name("DURATION");
}

}  // namespace authctl::cli
