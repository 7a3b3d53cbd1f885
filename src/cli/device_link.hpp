// The Nexterm device-code login shared by `device-link` and `login --device`.
#pragma once

#include <string>

#include "cli/context.hpp"
#include "cli/wait_options.hpp"
#include "core/host.hpp"

namespace authctl::cli {

// Logs this machine in with a device code: create, show code + link + QR, poll until
// authorized (store the profile), invalid/expired (exit 6) or Ctrl-C (exit 130).
void run_device_login(Context& context, const HostSpec& host, const WaitOptions& options,
                      bool force, bool no_store, bool print_token);

}  // namespace authctl::cli
