#include "backends/decoders.hpp"

#include <algorithm>
#include <cctype>

#include "backends/answer.hpp"
#include "core/error.hpp"
#include "core/json_input.hpp"
#include "core/jwt.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace authctl::backends::decode {

namespace {

bool is_poll_token(const std::string& token) {
  return token.size() == 64 && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// XXXX-XXXX from the device code alphabet (nexterm-api.md).
bool is_device_code(const std::string& code) {
  static const std::string kAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  if (code.size() != 9 || code[4] != '-') return false;
  for (size_t i = 0; i < code.size(); ++i)
    if (i != 4 && kAlphabet.find(code[i]) == std::string::npos) return false;
  return true;
}

// The "token" of a login or device poll answer: 96 hex, else it is never used (a CR LF in
// it would become an injected header on every later request).
std::string session_token_of(const answer::Fields& fields) {
  const std::string token = fields.text("token");
  if (!validate::is_session_token(token)) fields.bad("token", "is not a session token (96 hex)");
  return token;
}

// A key's first characters as the server shows them, without the ellipsis it may end with
// ("nxt_abcdef…" or "nxt_abcdef..."): the data, not its display.
std::string key_prefix(std::string prefix) {
  for (const std::string_view ellipsis : {"\xE2\x80\xA6", "..."})
    if (prefix.size() >= ellipsis.size() &&
        prefix.compare(prefix.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0) {
      prefix.resize(prefix.size() - ellipsis.size());
      break;
    }
  return prefix;
}

ApiKey api_key_of(const answer::Fields& j) {
  ApiKey key;
  key.id = j.integer("id");
  key.name = j.optional_text("name");
  key.prefix = key_prefix(j.optional_text("prefix"));
  key.expires_at = j.optional_time("expiresAt");
  key.created_at = j.optional_time("createdAt");
  key.last_used_at = j.optional_time("lastUsedAt");
  key.token = j.optional_text("token");
  return key;
}

bool is_string_member(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string();
}

// A WebAuthn challenge: base64url without padding (the spec's are 43 characters). It is
// signed inside clientDataJSON exactly as sent, so nothing else is taken.
const std::string& checked_challenge(const std::string& challenge, const char* where,
                                     const std::string& authority) {
  const bool base64url = std::all_of(challenge.begin(), challenge.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  if (challenge.empty() || challenge.size() > 1024 || !base64url)
    answer::unexpected(authority,
                       std::string("\"challenge\" of the ") + where + " is not base64url");
  return challenge;
}

}  // namespace

int64_t clock_offset(std::string_view date_header, int64_t local_now) {
  if (auto date = timeutil::parse_http_date(date_header)) return *date - local_now;
  return 0;
}

int64_t clock_offset(const net::Response& response) {
  return clock_offset(response.header("Date"), response.sent_at);
}

NeuronToken neuron_token(const nlohmann::json& doc, int64_t clock_offset,
                         const std::string& authority) {
  const answer::Fields fields(doc, authority, "");
  NeuronToken token;
  token.jwt = checked_jwt(fields.text("jwt"), "\"jwt\"", authority);
  token.expires = fields.time("expires");
  token.clock_offset = clock_offset;
  return token;
}

std::string checked_jwt(const std::string& jwt, const std::string& what,
                        const std::string& authority) {
  // Anything else could carry CR LF into the Authorization header of every later request.
  if (!validate::is_jwt(jwt))
    answer::unexpected(authority, what + " is not a JWT (three base64url parts joined by '.')");
  return jwt;
}

int64_t adopted_expiry(const std::string& jwt, int64_t fallback, const std::string& authority) {
  auto claims = jwt::decode_claims(jwt);
  if (!claims || !claims->contains("exp")) return fallback;
  auto exp = timeutil::parse_time_value((*claims)["exp"]);
  if (!exp)
    answer::unexpected(authority,
                       "\"exp\" of the AgentApiToken is out of range (2000-01-01..2200-01-01)");
  return *exp;
}

QuickLoginSignature quick_login_signature(const nlohmann::json& data,
                                          const std::string& authority) {
  QuickLoginSignature signature;
  if (!data.is_object()) return signature;
  const std::string token =
      answer::Fields(data, authority, "of the signature event").optional_text("AgentApiToken");
  // It is sent back in an Authorization header: checked before any use.
  if (!token.empty())
    signature.agent_api_token =
        checked_jwt(token, "the AgentApiToken of the signature event", authority);
  return signature;
}

std::string neuron_domain(const nlohmann::json& domain_info, const std::string& authority) {
  if (!domain_info.is_object()) return {};
  const answer::Fields fields(domain_info, authority, "of DomainInfo");
  const std::string domain = fields.optional_text("domain");
  // Compared with the domain of a tagsign: link and named in messages: a DNS name.
  const bool dns_name =
      domain.size() <= 253 && std::all_of(domain.begin(), domain.end(), [](char c) {
        return isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      });
  if (!dns_name) fields.bad("domain", "is not a domain name");
  return domain;
}

std::string neuron_user_name(const nlohmann::json& doc, const char* where,
                             const std::string& authority) {
  return answer::Fields(doc, authority, where).optional_user_name("userName");
}

const nlohmann::json& account_created(const nlohmann::json& doc, const std::string& authority) {
  auto inner = doc.is_object() ? doc.find("AccountCreated") : doc.end();
  if (inner == doc.end() || !inner->is_object())
    throw Error(ExitCode::error, authority + " answered GetSessionToken without AccountCreated",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  return *inner;
}

VerifiedToken verified_token(const nlohmann::json& doc, const std::string& authority) {
  if (!doc.is_object())
    throw Error(ExitCode::error, authority + " answered AuthenticateJwt with a non-object",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  auto text_of = [](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  auto member = [&](const char* key) -> std::optional<std::string> {
    auto it = doc.find(key);
    if (it == doc.end()) return std::nullopt;
    return text_of(*it);
  };
  VerifiedToken out;
  out.algorithm = member("algorithm");
  out.issuer = member("issuer");
  out.subject = member("subject");
  // Shown only: an expiration that is no time is left out rather than refused.
  if (auto exp = doc.find("expiration"); exp != doc.end())
    out.expires = timeutil::parse_time_value(*exp);
  if (auto claims = doc.find("claims"); claims != doc.end() && claims->is_object()) {
    out.claims.emplace();
    for (const auto& item : claims->items())
      out.claims->push_back(VerifiedToken::Claim{item.key(), text_of(item.value())});
  }
  out.server = doc;
  // The header and payload come as JSON texts: passed on as the objects they are.
  for (const char* part : {"header", "payload"})
    if (auto it = out.server.find(part); it != out.server.end() && it->is_string())
      if (json_input::Parsed parsed = json_input::parse(it->get<std::string>());
          parsed.ok() && parsed.value.is_object())
        *it = std::move(parsed.value);
  return out;
}

std::string session_token(const nlohmann::json& doc, const char* where,
                          const std::string& authority) {
  return session_token_of(answer::Fields(doc, authority, where));
}

std::string nexterm_user_name(const nlohmann::json& doc, const std::string& authority) {
  return answer::Fields(doc, authority, "of /api/accounts/me").optional_user_name("username");
}

DeviceCode device_code(const nlohmann::json& doc, int64_t clock_offset,
                       const std::string& authority) {
  DeviceCode out;
  out.clock_offset = clock_offset;
  const answer::Fields fields(doc, authority, "of device/create");
  out.poll_token = fields.text("token");
  if (!is_poll_token(out.poll_token)) fields.bad("token", "is not 64 hex digits");
  out.code = fields.text("code");
  if (!is_device_code(out.code)) fields.bad("code", "is not a device code (XXXX-XXXX)");
  out.expires_at = fields.time("expiresAt");
  return out;
}

DevicePoll device_poll(const nlohmann::json& doc, const std::string& authority) {
  const answer::Fields fields(doc, authority, "of device/poll");
  DevicePoll out;
  out.status = fields.text("status");
  if (out.status == "authorized") out.token = session_token_of(fields);
  if (out.status != "pending" && out.status != "authorized" && out.status != "invalid")
    throw Error(ExitCode::error,
                authority + " answered device/poll with status '" + out.status + "'",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  return out;
}

DeviceInfo device_info(const nlohmann::json& doc, const std::string& authority) {
  const answer::Fields fields(doc, authority, "of device/info");
  return DeviceInfo{fields.optional_text("ipAddress"), fields.optional_text("userAgent"),
                    fields.optional_text("clientType"),
                    fields.optional_time("expiresAt").value_or(0)};
}

std::vector<NextermSession> sessions(const nlohmann::json& doc, const std::string& authority) {
  if (!doc.is_array())
    throw Error(ExitCode::error, authority + " answered the session list with a non-array",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  std::vector<NextermSession> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    const answer::Fields s(doc[i], authority, "of session " + std::to_string(i + 1));
    NextermSession session;
    session.id = s.integer("id");
    session.ip = s.optional_text("ip");
    session.user_agent = s.text("userAgent");
    session.last_activity = s.time("lastActivity");
    session.current = s.flag("current");
    out.push_back(session);
  }
  return out;
}

std::vector<ApiKey> api_keys(const nlohmann::json& doc, const std::string& authority) {
  if (!doc.is_array())
    throw Error(ExitCode::error, authority + " answered the API key list with a non-array",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  std::vector<ApiKey> out;
  for (size_t i = 0; i < doc.size(); ++i)
    out.push_back(
        api_key_of(answer::Fields(doc[i], authority, "of API key " + std::to_string(i + 1))));
  return out;
}

ApiKey new_api_key(const nlohmann::json& doc, const std::string& authority) {
  const answer::Fields fields(doc, authority, "of the new API key");
  if (!validate::is_api_key(fields.text("token")))
    fields.bad("token", "is not an API key (nxt_ and 64 hex digits)");
  return api_key_of(fields);
}

std::vector<PasskeyInfo> passkeys(const nlohmann::json& doc, const std::string& authority) {
  if (!doc.is_array())
    throw Error(ExitCode::error, authority + " answered the passkey list with a non-list",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  std::vector<PasskeyInfo> out;
  for (const auto& item : doc) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_number_integer()) continue;
    PasskeyInfo info;
    info.id = item["id"].get<int64_t>();
    if (is_string_member(item, "name")) info.name = item["name"];
    if (item.contains("createdAt") && !item["createdAt"].is_null())
      info.created_at = timeutil::parse_time_value(item["createdAt"]);
    out.push_back(std::move(info));
  }
  return out;
}

PasskeyCreationOptions passkey_creation_options(const nlohmann::json& doc,
                                                const std::string& authority,
                                                const std::string& host) {
  if (!doc.is_object() || !is_string_member(doc, "challenge") || !doc.contains("rp") ||
      !doc["rp"].is_object() || !is_string_member(doc["rp"], "id"))
    throw Error(ExitCode::error,
                authority +
                    " answered passkey registration options without challenge "
                    "and rp.id",
                Reason::too_old_for_passkeys, ErrorFacts{authority, {}, std::nullopt});
  // A passkey is bound to its rp.id: one for another site, signed here, would let this
  // server (or whoever is between) log in there as the user.
  const std::string& rp_id = doc["rp"]["id"].get_ref<const std::string&>();
  if (rp_id != host)
    throw Error(ExitCode::error,
                authority + " sent an unexpected answer: \"rp.id\" is \"" + text::printable(rp_id) +
                    "\", not this server's host " + host,
                Reason::passkey_rp_mismatch, ErrorFacts{authority, {}, std::nullopt});
  return PasskeyCreationOptions{rp_id,
                                checked_challenge(doc["challenge"].get_ref<const std::string&>(),
                                                  "passkey registration options", authority)};
}

PasskeyRequestOptions passkey_request_options(const nlohmann::json& doc,
                                              const std::string& authority) {
  if (!doc.is_object() || !is_string_member(doc, "challenge") || !is_string_member(doc, "rpId"))
    throw Error(ExitCode::error,
                authority + " answered passkey login options without challenge and rpId",
                Reason::too_old_for_passkeys, ErrorFacts{authority, {}, std::nullopt});
  const std::string& rp_id = doc["rpId"].get_ref<const std::string&>();
  if (rp_id.empty())
    answer::unexpected(authority, "\"rpId\" of the passkey login options is empty");
  return PasskeyRequestOptions{rp_id,
                               checked_challenge(doc["challenge"].get_ref<const std::string&>(),
                                                 "passkey login options", authority)};
}

std::string passkey_login_token(const nlohmann::json& doc, const std::string& authority) {
  if (!doc.is_object() || !is_string_member(doc, "token") ||
      !validate::is_session_token(doc["token"].get<std::string>()))
    throw Error(ExitCode::error, authority + " answered the passkey login without a token",
                Reason::misbehaving, ErrorFacts{authority, {}, std::nullopt});
  return doc["token"].get<std::string>();
}

std::optional<std::string> nexterm_version(const nlohmann::json& doc) {
  if (!doc.is_object() || !is_string_member(doc, "version")) return std::nullopt;
  return doc["version"].get<std::string>();
}

}  // namespace authctl::backends::decode
