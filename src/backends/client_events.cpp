#include "backends/client_events.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "backends/http_failure.hpp"
#include "backends/neuron.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace authctl::backends {

namespace {

constexpr int kMaxFailures = 3;                         // in a row, then give up
constexpr std::chrono::milliseconds kRetryPause{2000};  // before posting again
constexpr long kPollTimeoutSeconds = 90;                // the server answers NOP after ~20 s
constexpr std::chrono::milliseconds kRegisterStep{50};

}  // namespace

std::string make_tab_id() {
  const std::string bytes = crypto::random_bytes(16);
  std::string hex;
  char digits[3];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    std::snprintf(digits, sizeof digits, "%02x", static_cast<unsigned char>(bytes[i]));
    hex += digits;
  }
  return hex;
}

ClientEvents::ClientEvents(net::HttpClient& http, const std::string& origin, std::string tab,
                           std::string cookie)
    : http_(http),
      host_(parse_host(origin, /*allow_http=*/true)),
      tab_(std::move(tab)),
      cookie_(std::move(cookie)),
      poll_(http) {
  http_.add_secret(cookie_);
}

ClientEvents::ClientEvents(NeuronClient& neuron, std::string tab, std::string cookie)
    : ClientEvents(*neuron.http_, neuron.host().origin, std::move(tab), std::move(cookie)) {}

void ClientEvents::post() {
  net::Request request;
  request.method = "POST";
  request.url = host_.origin + "/ClientEvents";
  request.headers = {{"Host", host_.authority},
                     {"Content-Type", "text/plain"},
                     {"Accept", "application/json"},
                     {"X-TabID", tab_},
                     {"Cookie", "HttpSessionID=" + cookie_}};
  request.body = host_.origin + "/";  // the page's absolute URL
  request.timeout_seconds = kPollTimeoutSeconds;
  poll_.start(std::move(request));
}

void ClientEvents::register_tab() {
  for (;;) {
    post();
    while (!poll_.sent() && !poll_.advance(kRegisterStep)) {
    }
    if (poll_.advance(std::chrono::milliseconds(0))) {
      // Answered already: events or a refusal mean the server saw the tab.
      const Answer answer = take_answer();
      if (answer == Answer::failed) {
        std::this_thread::sleep_until(retry_at_);
        continue;
      }
      must_post_ = true;
    }
    return;
  }
}

ClientEvents::Answer ClientEvents::take_answer() {
  net::Response answer;
  try {
    answer = poll_.response();
  } catch (const Error& e) {
    if (e.code() != ExitCode::network || ++failures_ >= kMaxFailures) throw;
    retry_at_ = std::chrono::steady_clock::now() + kRetryPause;
    return Answer::failed;
  }
  if (answer.status >= 500 && ++failures_ < kMaxFailures) {
    retry_at_ = std::chrono::steady_clock::now() + kRetryPause;
    return Answer::failed;
  }
  if (answer.status == 429 ||
      (answer.status == 403 && answer.error_text().find("blocked") != std::string::npos))
    throw Error(ExitCode::rate_limited,
                text::with_server_text(host_.authority + " is limiting this client", answer.said()),
                Reason::rate_limited, ErrorFacts{host_.authority, {}, std::nullopt});
  if (answer.status != 200) {
    // 4xx here means no event channel (not a Neuron with Quick Login), not a bad session.
    const Reason reason =
        answer.status >= 500 ? status_meaning(answer.status).reason : Reason::no_event_channel;
    throw Error(ExitCode::error,
                text::with_server_text("the event channel of " + host_.authority +
                                           " failed: HTTP " + std::to_string(answer.status),
                                       answer.said()),
                reason, ErrorFacts{host_.authority, {}, std::nullopt});
  }
  // Parsed with the depth bound (a 100,000-deep list would overflow the stack later).
  std::optional<nlohmann::json> events = answer::parse_json(answer, host_.authority);
  if (!events) events = answer.json();  // throws, saying what came instead of JSON
  if (!events->is_array())
    answer::unexpected(host_.authority, "/ClientEvents answered something other than a list");
  failures_ = 0;
  retry_at_ = std::chrono::steady_clock::now();
  for (size_t i = 0; i < events->size(); ++i) {
    const nlohmann::json& event = (*events)[i];
    if (!event.is_object()) continue;
    const answer::Fields fields(event, host_.authority, "of event " + std::to_string(i + 1));
    const std::string type = fields.optional_text("type");
    if (type != "SignatureReceivedBE" && type != "SignatureReceived") continue;
    nlohmann::json data = event.contains("data") ? event["data"] : nlohmann::json();
    // Tolerant: the data may come as JSON text inside a string.
    if (data.is_string()) {
      auto inner = answer::parse_text(data.get<std::string>(), host_.authority);
      if (inner && inner->is_object()) data = std::move(*inner);
    }
    signature_ = std::move(data);
    return Answer::signature;
  }
  return Answer::events;
}

std::optional<nlohmann::json> ClientEvents::wait_for_signature(std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  while (!signature_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) break;
    if (must_post_) {
      // Right away after an answer, so that the tab stays known; after a pause on failure.
      if (now < retry_at_) {
        std::this_thread::sleep_until(std::min(retry_at_, until));
        continue;
      }
      post();
      must_post_ = false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (poll_.advance(std::max(left, std::chrono::milliseconds(0)))) {
      if (take_answer() == Answer::signature) break;
      must_post_ = true;
    }
  }
  return signature_;
}

std::optional<QuickLoginSignature> ClientEvents::wait_for_quick_login(
    std::chrono::milliseconds wait) {
  const std::optional<nlohmann::json> data = wait_for_signature(wait);
  if (!data) return std::nullopt;
  QuickLoginSignature signature = decode::quick_login_signature(*data, host_.authority);
  if (signature.agent_api_token) http_.add_secret(*signature.agent_api_token);
  return signature;
}

}  // namespace authctl::backends
