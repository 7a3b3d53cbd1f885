// The pure halves of the Neuron and Nexterm clients: an answer's parsed JSON (and the
// headers that matter) in, a checked result out, or a malformed answer thrown as
// authctl::Error (exit 1) naming `authority`. No I/O, no secrets registered: the clients
// call these after the HTTP call and register what must be hidden. Being pure, they are
// what tests/fuzz/fuzz_neuron_answers and fuzz_nexterm_answers feed hostile bodies to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/client_events.hpp"
#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"

namespace authctl::backends::decode {

// Server Date header minus the local clock when the answer arrived (0 without a Date).
int64_t clock_offset(std::string_view date_header, int64_t local_now);
// The same for an answer as received (its Date header and when its request went out).
int64_t clock_offset(const net::Response& response);

// --- Neuron ---
// A token answer {jwt, expires}: the jwt in its alphabet (validate::is_jwt), expires a
// server time.
// `clock_offset`: that of the answer (clock_offset(response)).
NeuronToken neuron_token(const nlohmann::json& doc, int64_t clock_offset,
                         const std::string& authority);
// `jwt` when it is one; else a malformed answer naming `what`.
std::string checked_jwt(const std::string& jwt, const std::string& what,
                        const std::string& authority);
// The expiry of a token handed over without `expires` (an AgentApiToken): its `exp` claim
// when it has one (a server time), else `fallback`.
int64_t adopted_expiry(const std::string& jwt, int64_t fallback, const std::string& authority);
// What a SignatureReceivedBE / SignatureReceived event's `data` gives a Quick Login: its
// AgentApiToken when it has one (absent, null or "": none; anything but a JWT is refused).
// Data that is not an object gives none.
QuickLoginSignature quick_login_signature(const nlohmann::json& data, const std::string& authority);
// DomainInfo's "domain" (the domain this broker's tagsign: links name), "" when it names
// none or `domain_info` is not an object; anything but a domain name is refused.
std::string neuron_domain(const nlohmann::json& domain_info, const std::string& authority);
// The "userName" of an answer (validate::is_user_name), "" when it gives none.
std::string neuron_user_name(const nlohmann::json& doc, const char* where,
                             const std::string& authority);
// GetSessionToken's answer: the token answer inside "AccountCreated".
const nlohmann::json& account_created(const nlohmann::json& doc, const std::string& authority);
// AuthenticateJwt's answer: an object, its texts taken as the server gave them.
VerifiedToken verified_token(const nlohmann::json& doc, const std::string& authority);

// --- Nexterm ---
// The session token of a login or device poll answer (96 hex).
std::string session_token(const nlohmann::json& doc, const char* where,
                          const std::string& authority);
// The "username" of /api/accounts/me (validate::is_user_name), "" when it gives none.
std::string nexterm_user_name(const nlohmann::json& doc, const std::string& authority);
DeviceCode device_code(const nlohmann::json& doc, int64_t clock_offset,
                       const std::string& authority);
struct DevicePoll {
  std::string status;  // "pending", "authorized" or "invalid"
  std::string token;   // the session token when authorized
};
DevicePoll device_poll(const nlohmann::json& doc, const std::string& authority);
DeviceInfo device_info(const nlohmann::json& doc, const std::string& authority);
std::vector<NextermSession> sessions(const nlohmann::json& doc, const std::string& authority);
std::vector<ApiKey> api_keys(const nlohmann::json& doc, const std::string& authority);
// The answer of API key creation: its token must be an API key.
ApiKey new_api_key(const nlohmann::json& doc, const std::string& authority);
std::vector<PasskeyInfo> passkeys(const nlohmann::json& doc, const std::string& authority);
// register/options: {challenge, rp:{id}, ...} with rp.id this server's `host` and a
// base64url challenge. Without challenge or rp.id: a server too old for passkeys.
PasskeyCreationOptions passkey_creation_options(const nlohmann::json& doc,
                                                const std::string& authority,
                                                const std::string& host);
// auth/passkey/options: {rpId, challenge, ...}, rpId not empty, the challenge base64url.
PasskeyRequestOptions passkey_request_options(const nlohmann::json& doc,
                                              const std::string& authority);
// auth/passkey/verify: the session token.
std::string passkey_login_token(const nlohmann::json& doc, const std::string& authority);
// /api/service/version: the version string, nullopt when this is not a Nexterm's answer.
std::optional<std::string> nexterm_version(const nlohmann::json& doc);

}  // namespace authctl::backends::decode
