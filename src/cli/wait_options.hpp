// What the waiting commands share (device-link, login --device/--qr, device-link phone,
// remote-quick-login --wait): their options, how long and how often they wait, and the QR
// code drawn on stderr.
#pragma once

#include <cstdint>
#include <string>

#include "cli/context.hpp"
#include "cli/wait_plan.hpp"
#include "term/qr.hpp"
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

// The QR code of a wait, on stderr: drawn when --show-qr asks for it and the terminal can
// show all of it (a code that wraps or scrolls out of sight cannot be scanned), else a note
// of the size it needs; drawn later if a resize during the wait makes room
// (term::WaitPlan::on_resize).
class WaitQrCode {
 public:
  enum class Otherwise {
    use_link,  // the link is on screen too: the note offers it
    enlarge,   // the link is a secret (device-link phone): the note only says to enlarge
  };
  WaitQrCode(const Context& context, const WaitOptions& options, const std::string& payload,
             Otherwise otherwise);
  void show();
  void on_resize();  // draws the code now if it did not fit before and does now

 private:
  bool fits_now() const;

  bool wanted_;
  Otherwise otherwise_;
  std::string drawing_;
  term::DrawingSize size_;
  bool drawn_ = false;
};

}  // namespace authctl::cli
