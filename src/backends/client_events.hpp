// The Neuron's /ClientEvents channel for one browser "tab" of a web session
// (neuron-agent-api.md, "Quick Login with a QR code"): a long poll that is posted again as
// soon as each answer arrives, so that the server never drops the tab (60 s) and no event
// is lost. It is how a QR login or a remote quick login learns that the user signed.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/host.hpp"
#include "net/http.hpp"

namespace authctl::backends {

class NeuronClient;

// What a signature event hands a Quick Login (decode::quick_login_signature).
struct QuickLoginSignature {
  std::optional<std::string> agent_api_token;  // the session's JWT, when the server sent it
};

// A tab id as the web pages make them: a random GUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
std::string make_tab_id();

class ClientEvents {
 public:
  // `cookie`: the HttpSessionID of the web session the tab belongs to, sent unchanged.
  ClientEvents(net::HttpClient& http, const std::string& origin, std::string tab,
               std::string cookie);
  // The same over `neuron`'s HTTP client, for a tab of that Neuron.
  ClientEvents(NeuronClient& neuron, std::string tab, std::string cookie);

  // Sends the first poll and returns once all of it has gone out: from then on the server
  // knows the tab and keeps its events. Throws when the server refuses it.
  void register_tab();

  // Lets the channel run for at most `wait`; the `data` of a SignatureReceivedBE or
  // SignatureReceived event once one came (NOP, CheckServerInstance and others are skipped).
  // A transport error or 5xx is retried a few times before it is thrown.
  std::optional<nlohmann::json> wait_for_signature(std::chrono::milliseconds wait);
  // The same, decoded for a Quick Login; an AgentApiToken is registered with the trace.
  std::optional<QuickLoginSignature> wait_for_quick_login(std::chrono::milliseconds wait);

 private:
  enum class Answer { signature, events, failed };
  void post();
  // Reads a finished poll (a signature is kept in signature_); a failure that may pass
  // sets retry_at_, one that will not is thrown.
  Answer take_answer();

  net::HttpClient& http_;
  HostSpec host_;
  std::string tab_, cookie_;
  net::PendingRequest poll_;
  std::optional<nlohmann::json> signature_;
  int failures_ = 0;        // consecutive failed polls
  bool must_post_ = false;  // the last poll ended; post again (at retry_at_)
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace authctl::backends
