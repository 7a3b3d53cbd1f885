// login --qr: the Neuron's Quick Login from a terminal (neuron-agent-api.md, "Quick Login
// with a QR code"): a code for the Neuro-Access / TAG ID app, learned signed through
// /ClientEvents, then a JWT for that web session.
#pragma once

#include <cstdint>
#include <string>

#include "cli/context.hpp"
#include "cli/profiles.hpp"
#include "cli/wait_options.hpp"
#include "core/host.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

struct QrLoginRequest {
  std::string purpose;     // shown in the app; "" = a default naming authctl and the host
  int64_t seconds = 3600;  // token lifetime (agentApiTimeout)
  bool force = false;
  bool no_store = false;
};

// A QR code lives about 5 minutes; --wait may not ask for longer.
constexpr int64_t kQrCodeSeconds = 300;

// Shows the code (JSON line "code" with --json), waits for the signature (exit 6 when none
// comes in time, 130 on Ctrl-C; nothing stored then), stores and returns the profile.
NewSession run_qr_login(Context& context, const HostSpec& host, const WaitOptions& options,
                        const QrLoginRequest& request);

}  // namespace authctl::cli
