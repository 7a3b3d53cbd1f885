#include "cli/qr_login.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "backends/client_events.hpp"
#include "backends/neuron.hpp"
#include "cli/profiles.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "term/tty.hpp"
#include "term/waiter.hpp"

namespace authctl::cli {

namespace {

bool same_domain(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The domain a tagsign: link must name: the broker's own (DomainInfo's `domain`), else the
// --host's host. A link for another domain would have the user sign a login elsewhere.
std::string own_domain(backends::NeuronClient& neuron, const HostSpec& host) {
  const nlohmann::json info = neuron.domain_info();
  if (info.is_object() && info.contains("domain") && info["domain"].is_string() &&
      !info["domain"].get<std::string>().empty())
    return info["domain"].get<std::string>();
  return host.host;
}

// Refuses (exit 1, before anything is shown) a signUrl that is not tagsign:DOMAIN,KEY for
// `domain`, or that holds anything a terminal or QR reader could misread.
void check_sign_url(const std::string& sign_url, const std::string& domain, const HostSpec& host) {
  const std::string prefix = "tagsign:";
  const size_t comma = sign_url.find(',');
  const bool form = sign_url.rfind(prefix, 0) == 0 && comma != std::string::npos &&
                    comma + 1 < sign_url.size() && !text::needs_escaping(sign_url) &&
                    sign_url.find(' ') == std::string::npos;
  if (!form)
    throw Error(ExitCode::error,
                host.authority + " sent an unexpected answer: the Quick Login link '" +
                    text::printable(sign_url) + "' is not tagsign:DOMAIN,KEY",
                "the server is misbehaving; check --host");
  const std::string named = sign_url.substr(prefix.size(), comma - prefix.size());
  if (!same_domain(named, domain))
    throw Error(ExitCode::error,
                host.authority + " sent an unexpected answer: its Quick Login link is for " +
                    named + ", not for " + domain,
                "signing it would log you in elsewhere; check --host (nothing was shown)");
}

// The code as a JSON line, or as text on stderr (check_sign_url refused controls already;
// escaped all the same, as everything shown from a server).
void show_code(Context& context, const WaitOptions& options, const HostSpec& host,
               const std::string& sign_url, int64_t code_expiry) {
  if (context.global.json) {
    const size_t comma = sign_url.find(',');
    context.print_json(
        {{"event", "code"},
         {"code", comma == std::string::npos ? sign_url : sign_url.substr(comma + 1)},
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

}  // namespace

NewSession run_qr_login(Context& context, const HostSpec& host, const WaitOptions& options,
                        const QrLoginRequest& request) {
  const int64_t wait =
      options.wait.empty() ? kQrCodeSeconds : parse_duration_or_throw(options.wait);
  if (wait > kQrCodeSeconds)
    throw Error(ExitCode::usage, "--wait for --qr is at most 5m: a QR code lives about 5 minutes",
                "give --wait 5m or less (run the command again for a fresh code)");
  // The user (and so the default name) is known only after signing; -p is checked now.
  if (!request.no_store)
    prepare_store(context, context.explicit_profile(), host.origin, request.force);

  net::HttpClient http(context.client_options(host.origin, context.global.cacert));
  backends::NeuronClient neuron(http, host.origin);
  const std::string tab = backends::make_tab_id();
  const std::string purpose =
      request.purpose.empty() ? "Log in to " + host.authority + " with authctl" : request.purpose;
  std::string cookie, service_id;
  const std::string domain = own_domain(neuron, host);
  const std::string sign_url =
      neuron.quick_login_code(tab, purpose, request.seconds, cookie, service_id);
  check_sign_url(sign_url, domain, host);
  const int64_t code_expiry = timeutil::now() + kQrCodeSeconds;

  // The tab must be known to the server before anyone can scan: its event is lost otherwise.
  backends::ClientEvents events(http, host.origin, tab, cookie);
  events.register_tab();

  show_code(context, options, host, sign_url, code_expiry);
  show_qr(context, options, sign_url);

  term::WaitPlan plan;
  plan.deadline = timeutil::now() + wait;
  plan.spinner = term::is_tty(STDERR_FILENO) && !context.global.json;
  plan.label = "Waiting for the signature";
  std::optional<nlohmann::json> signature;
  const bool signed_in = term::wait_for_event(plan, [&](std::chrono::milliseconds step) {
    signature = events.wait_for_signature(step);
    return signature.has_value();
  });
  if (!signed_in) {
    if (context.global.json) context.print_json({{"event", "expired"}});
    // Declining in the app sends nothing: a timeout is all the client ever sees.
    throw Error(ExitCode::expired, "the QR code was not signed in time",
                "run authctl login --qr again (if you declined in the app, that is why)");
  }

  // The token comes in the event when the server sends it; else it is asked for once,
  // now that the session is signed (asking before would count as a failed login).
  std::string user;
  backends::NeuronToken token;
  const nlohmann::json* given = nullptr;
  if (signature->is_object() && signature->contains("AgentApiToken") &&
      (*signature)["AgentApiToken"].is_string() &&
      !(*signature)["AgentApiToken"].get<std::string>().empty())
    given = &(*signature)["AgentApiToken"];
  token = given ? neuron.adopt_token(given->get<std::string>(), request.seconds, &user)
                : neuron.quick_login_token(cookie, request.seconds, &user);
  if (user.empty()) user = neuron.user_name(token.jwt);
  if (user.empty()) user = "unknown";

  NewSession result;
  result.profile =
      new_profile(context, store::Kind::neuron, host.origin, user, token.jwt, token.clock_offset);
  result.profile.expires = token.expires;
  result.profile.seconds = request.seconds;
  result.name = profile_name_for(context, user, host.authority);
  finish_login(context, result, request.force, request.no_store);
  return result;
}

}  // namespace authctl::cli
