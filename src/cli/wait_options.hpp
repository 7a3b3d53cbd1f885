// What the waiting commands share (device-link, login --device/--qr, device-link phone,
// remote-quick-login --wait): their options, how long and how often they wait, and the QR
// code drawn on stderr.
#pragma once

#include <cstdint>
#include <string>

#include "cli/context.hpp"
#include "cli/wait_plan.hpp"
#include "term/waiter.hpp"

// CLI11 costs ~12 s of compile time in every file that includes it (it emits its parser
// and validators there): headers only name its types.
namespace CLI {
class App;
}  // namespace CLI

namespace authctl::cli {

struct WaitOptions {
  std::string interval;            // polling period; "" = the flow's default
  std::string show_qr = "auto";    // auto|always|never
  std::string qr_content = "url";  // url|app
  std::string wait;                // how long to wait; "" = the flow's default
};

// --interval, --show-qr, --qr-content, --wait
void add_wait_options(CLI::App* command, WaitOptions& options, bool with_qr_content);

// The same for a flow's options: --interval (else the flow's default), until
// `local_expiry` or --wait, whichever is first.
PlannedWait wait_plan(const Context& context, const WaitOptions& options, int64_t default_interval,
                      int64_t local_expiry, std::string label);

// Whether --show-qr asks for the QR code (auto: stderr is a terminal).
bool want_qr(const WaitOptions& options);
// Draws `payload` as a QR code on stderr when wanted and when it fits the terminal (a
// wrapped code cannot be scanned: then a warning says to use the link).
void show_qr(const Context& context, const WaitOptions& options, const std::string& payload);

}  // namespace authctl::cli
