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

namespace {
constexpr size_t kSpinnerRows = 1;  // the line under the code
}  // namespace

WaitQrCode::WaitQrCode(const Context& context, const WaitOptions& options,
                       const std::string& payload, Otherwise otherwise)
    : wanted_(want_qr(options)), otherwise_(otherwise) {
  if (!wanted_) return;
  drawing_ = term::render_qr(payload, term::qr_style_for_locale(), context.colors());
  size_ = term::drawing_size(drawing_);
}

bool WaitQrCode::fits_now() const {
  const term::TerminalSize terminal = term::terminal_size(STDERR_FILENO);
  return term::fits(size_, terminal.columns, terminal.rows, kSpinnerRows);
}

void WaitQrCode::show() {
  if (!wanted_ || drawn_) return;
  if (fits_now()) {
    std::cerr << drawing_;
    drawn_ = true;
    return;
  }
  const term::TerminalSize terminal = term::terminal_size(STDERR_FILENO);
  const std::string sizes = std::to_string(size_.columns) + "x" +
                            std::to_string(size_.rows + kSpinnerRows) + " needed, this one is " +
                            std::to_string(terminal.columns) + "x" + std::to_string(terminal.rows);
  term::warn("the terminal is too small for the QR code (" + sizes +
             "): enlarge it to have it drawn" +
             (otherwise_ == Otherwise::use_link ? ", or use the link above" : ""));
}

void WaitQrCode::on_resize() {
  if (wanted_ && !drawn_ && fits_now()) show();
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
