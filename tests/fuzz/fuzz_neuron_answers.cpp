// libFuzzer harness: the Neuron answer decoders (backends/decoders): the input is a body,
// parsed as the client parses one and fed to each decoder. A hostile body gives a result
// or a malformed answer (authctl::Error), never a crash or an nlohmann exception; what is
// decoded keeps its alphabet and range (it is stored and sent back in headers).
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "backends/session_client.hpp"
#include "backends/waiting_flows.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace decode = authctl::backends::decode;
namespace tu = authctl::timeutil;

namespace {

const std::string kAuthority = "neuron.example";
constexpr int64_t kNow = 1800000000;

template <typename F>
void rejected_or(F&& decoder) {
  try {
    decoder();
  } catch (const authctl::Error&) {
  }
}

void check_token(const authctl::backends::NeuronToken& token) {
  if (!authctl::validate::is_jwt(token.jwt) || !tu::in_server_range(token.expires)) abort();
}

void check_user(const std::string& user) {
  if (!user.empty() && !authctl::validate::is_user_name(user)) abort();
}

void decode_all(const nlohmann::json& doc) {
  rejected_or([&] { check_token(decode::neuron_token(doc, 0, kAuthority)); });
  rejected_or([&] {
    check_token(decode::neuron_token(decode::account_created(doc, kAuthority),
                                     decode::clock_offset("Sun, 22 Nov 2026 11:22:11 GMT", kNow),
                                     kAuthority));
  });
  rejected_or([&] { check_user(decode::neuron_user_name(doc, "of Account/Info", kAuthority)); });
  if (authctl::backends::neuron_account_fields(doc).size() > 6) abort();  // whoami's fixed keys
  // Quick Login: the event's AgentApiToken is a JWT or absent; the domain is a DNS name.
  rejected_or([&] {
    const auto signature = decode::quick_login_signature(doc, kAuthority);
    if (signature.agent_api_token && !authctl::validate::is_jwt(*signature.agent_api_token))
      abort();
  });
  rejected_or([&] {
    const std::string domain = decode::neuron_domain(doc, kAuthority);
    if (domain.size() > 253 || authctl::text::needs_escaping(domain)) abort();
  });
  // remote-quick-login's petition: approved only by the two states (or no textual state).
  const auto petition = decode::petition_answer(doc);
  if (petition.approved && !petition.state.empty() && petition.state != "Approved" &&
      petition.state != "Signed")
    abort();
  // AuthenticateJwt: an expiration is a server time.
  rejected_or([&] {
    const auto verified = decode::verified_token(doc, kAuthority);
    if (verified.expires && !tu::in_server_range(*verified.expires)) abort();
    // header and payload: passed on as objects when their text holds one, else as they came
    for (const char* part : {"header", "payload"})
      if (doc.is_object() && doc.contains(part) && !doc[part].is_string() &&
          verified.server[part] != doc[part])
        abort();
  });
  if (doc.is_object() && doc.contains("jwt") && doc["jwt"].is_string())
    rejected_or([&] {
      const int64_t when = decode::adopted_expiry(doc["jwt"], kNow, kAuthority);
      if (when != kNow && !tu::in_server_range(when)) abort();
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // The body itself as an AgentApiToken: its exp claim, when it has one, is a server time.
  rejected_or([&] {
    const int64_t when = decode::adopted_expiry(input, kNow, kAuthority);
    if (when != kNow && !tu::in_server_range(when)) abort();
  });
  std::optional<nlohmann::json> doc;
  rejected_or([&] { doc = authctl::backends::answer::parse_text(input, kAuthority); });
  if (doc) decode_all(*doc);
  return 0;
}
