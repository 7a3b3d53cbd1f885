#include "cli/qr_login.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "backends/client_events.hpp"
#include "backends/neuron.hpp"
#include "cli/profiles.hpp"
#include "cli/quick_login_link.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"
#include "term/waiter.hpp"

namespace authctl::cli {

namespace {

// The domain a tagsign: link must name: the broker's own (DomainInfo's), else the --host's
// host. A link for another domain would have the user sign a login elsewhere.
std::string own_domain(backends::NeuronClient& neuron, const HostSpec& host) {
  const std::string domain = neuron.domain();
  return domain.empty() ? host.host : domain;
}

// The code as a JSON line, or as text on stderr (check_sign_url refused controls already;
// escaped all the same, as everything shown from a server).
void show_code(Context& context, const WaitOptions& options, const HostSpec& host,
               const std::string& sign_url, int64_t code_expiry) {
  if (context.global.json) {
    context.print_json({{"event", "code"},
                        {"code", sign_url_key(sign_url)},
                        {"link", sign_url},
                        {"expires_at", timeutil::format_rfc3339(code_expiry)}});
  } else {
    const std::string expires = timeutil::format_relative(code_expiry, timeutil::now());
    if (want_qr(options))
      std::cerr << "To log in to " << host.authority
                << ", scan this QR code with the Neuro-Access / TAG ID app and sign (it expires "
                << expires << "):\n  " << text::printable(sign_url) << "\n";
    else
      std::cerr << "To log in to " << host.authority
                << ", sign this code with the Neuro-Access / TAG ID app (it expires " << expires
                << "; --show-qr always draws it as a QR code):\n  " << text::printable(sign_url)
                << "\n";
  }
}

// --wait for --qr: at most the life of a code (the default).
void check_qr_wait(const WaitOptions& options) {
  if (!options.wait.empty() && parse_duration_or_throw(options.wait) > kQrCodeSeconds)
    throw Error(ExitCode::usage, "--wait for --qr is at most 5m: a QR code lives about 5 minutes",
                "give --wait 5m or less (run the command again for a fresh code)");
}

// Waits up to --wait (at most the life of the code) for the app's signature. None in time is
// exit 6 (with --json, "expired" when the code's life ran out, "gave_up" when --wait did).
backends::QuickLoginSignature await_signature(Context& context, backends::ClientEvents& events,
                                              const WaitOptions& options, WaitQrCode& qr) {
  WaitRequest request;
  request.wait = options.wait;
  request.expiry = timeutil::now() + kQrCodeSeconds;
  request.label = "Sign in the app";
  PlannedWait planned = wait_plan(context, std::move(request));
  planned.plan.on_resize = [&qr] { qr.on_resize(); };
  std::optional<backends::QuickLoginSignature> signature;
  const bool signed_in = term::wait_for_event(planned.plan, [&](std::chrono::milliseconds step) {
    signature = events.wait_for_quick_login(step);
    return signature.has_value();
  });
  if (!signed_in) {
    const WaitEnd end = wait_end(planned, /*refused=*/false);
    if (context.global.json) context.print_json(wait_end_json(end));
    // Declining in the app sends nothing: a timeout is all the client ever sees.
    throw Error(ExitCode::expired,
                end == WaitEnd::gave_up ? "the QR code was not signed within --wait " + options.wait
                                        : "the QR code was not signed in time",
                "run authctl login --qr again (if you declined in the app, that is why)");
  }
  return *signature;
}

// The token of the signed session: the one in the event when the server sent it; else it
// is asked for once, now that the session is signed (asking before would count as a failed
// login). Stored as the profile of its user.
NewSession store_signed_session(Context& context, backends::NeuronClient& neuron,
                                const HostSpec& host, const QrLoginRequest& request,
                                const backends::QuickLoginSignature& signature,
                                const std::string& cookie) {
  std::string user;
  const backends::NeuronToken token =
      signature.agent_api_token
          ? neuron.adopt_token(*signature.agent_api_token, request.seconds, &user)
          : neuron.quick_login_token(cookie, request.seconds, &user);
  if (user.empty()) user = neuron.user_name(token.jwt);
  if (user.empty()) user = "unknown";
  NewSession result;
  result.profile = new_profile(context, store::Kind::neuron, store::LoginMethod::qr, host.origin,
                               user, token.jwt, token.clock_offset);
  result.profile.expires = token.expires;
  result.profile.issued_at = token.issued_at;
  result.profile.seconds = request.seconds;
  result.name = profile_name_for(context, user, host.authority);
  finish_login(context, result, request.force, request.no_store);
  return result;
}

}  // namespace

NewSession run_qr_login(Context& context, const HostSpec& host, const WaitOptions& options,
                        const QrLoginRequest& request) {
  check_qr_wait(options);
  // The user (and so the default name) is known only after signing; -p is checked now.
  if (!request.no_store)
    prepare_store(context, context.explicit_profile(), host.origin, "", request.force);

  backends::NeuronClient neuron = context.neuron_at(host);
  const std::string tab = backends::make_tab_id();
  const std::string purpose =
      request.purpose.empty() ? "Log in to " + host.authority + " with authctl" : request.purpose;
  std::string cookie, service_id;
  const std::string domain = own_domain(neuron, host);
  const std::string sign_url =
      neuron.quick_login_code(tab, purpose, request.seconds, cookie, service_id);
  check_sign_url(sign_url, domain, host.authority);
  const int64_t code_expiry = timeutil::now() + kQrCodeSeconds;

  // The tab must be known to the server before anyone can scan: its event is lost otherwise.
  backends::ClientEvents events(neuron, tab, cookie);
  events.register_tab();

  show_code(context, options, host, sign_url, code_expiry);
  WaitQrCode qr(context, options, sign_url, WaitQrCode::Otherwise::use_link);
  qr.show();
  const backends::QuickLoginSignature signature = await_signature(context, events, options, qr);
  return store_signed_session(context, neuron, host, request, signature, cookie);
}

}  // namespace authctl::cli
