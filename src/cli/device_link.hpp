// The Nexterm device-code login shared by `device-link` and `login --device`.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "core/host.hpp"

namespace authctl::cli {

struct WaitOptions {
  std::string interval;            // polling period; "" = the flow's default
  std::string show_qr = "auto";    // auto|always|never
  std::string qr_content = "url";  // url|app
  std::string wait;                // how long to wait; "" = the code's lifetime
};

// --interval, --show-qr, --qr-content, --wait
void add_wait_options(CLI::App* command, WaitOptions& options, bool with_qr_content);

// Logs this machine in with a device code: create, show code + link + QR, poll until
// authorized (store the profile), invalid/expired (exit 6) or Ctrl-C (exit 130).
void run_device_login(Context& context, const HostSpec& host, const WaitOptions& options,
                      bool force, bool no_store, bool print_token);

}  // namespace authctl::cli
