// The test broker's Nexterm passkeys (shared/specs/nexterm-passkeys.md): registration and
// authentication options and verification, the passkey list, rename and delete. Part of
// Nexterm::State (nexterm_impl.hpp); the choices are listed in nexterm.hpp, the WebAuthn
// checks are in webauthn_verify.cpp.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker_crypto.hpp"
#include "nexterm_impl.hpp"
#include "nexterm_util.hpp"
#include "nexterm_validation.hpp"
#include "webauthn_verify.hpp"

namespace testbroker {

namespace {

constexpr int64_t kChallengeLifeMs = 5 * 60 * 1000;  // the passkey controller's CHALLENGE_TTL
constexpr int kPasskeyTimeout = 60000;               // what the options say (not enforced)
constexpr const char* kPasskeyNotFound = "Passkey not found";

// JavaScript's parseInt(s, 10): leading whitespace, a sign, then digits (the rest ignored);
// nullopt for NaN. Values beyond int64 are clamped (no row has such an id anyway).
std::optional<int64_t> parse_int(const std::string& s) {
  static const std::regex lead(R"(^\s*([+-]?)(\d+))");
  std::smatch m;
  if (!std::regex_search(s, m, lead)) return std::nullopt;
  const std::string digits = m[2];
  int64_t v = digits.size() > 18 ? INT64_MAX : std::stoll(digits);
  return m[1] == "-" ? -v : v;
}

// `new URL(s).hostname`, approximated: nullopt where `new URL` throws ("Invalid URL").
// Tabs and newlines are removed and C0/space trimmed as WHATWG does; the special schemes
// (http, https, ws, wss, ftp) need a host and get it lower-cased; an IPv6 literal keeps its
// brackets; other schemes give the host of a "//" authority, else "". No IDNA, no IPv4
// number normalisation ("127.1" stays as is).
std::optional<std::string> url_hostname(const std::string& raw) {
  std::string s;
  for (char c : raw) {
    if (c != '\t' && c != '\n' && c != '\r') s += c;
  }
  auto not_space = [](char c) { return static_cast<unsigned char>(c) > 0x20; };
  auto b = std::find_if(s.begin(), s.end(), not_space);
  auto e = std::find_if(s.rbegin(), s.rend(), not_space).base();
  s = b < e ? std::string(b, e) : std::string();
  static const std::regex scheme_re(R"(^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$)");
  std::smatch m;
  if (!std::regex_match(s, m, scheme_re)) return std::nullopt;
  const std::string scheme = lower(m[1]);
  std::string rest = m[2];
  const bool special =
      scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp";
  if (special) {
    rest.erase(0, rest.find_first_not_of("/\\"));
  } else if (scheme == "file" || rest.compare(0, 2, "//") != 0) {
    return std::string();
  } else {
    rest.erase(0, 2);
  }
  std::string authority = rest.substr(0, rest.find_first_of(special ? "/?#\\" : "/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  std::string host = authority, port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return std::nullopt;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port[0] != ':') return std::nullopt;
    if (!port.empty()) port.erase(0, 1);
  } else if (size_t colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!port.empty() && (!all_digits(port) || port.size() > 5 || std::stoi(port) > 65535)) {
    return std::nullopt;
  }
  if (special && host.empty()) return std::nullopt;
  const bool ipv6 = !host.empty() && host[0] == '[';
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || std::strchr("#%/<>?@\\^|", c) ||
        (!ipv6 && std::strchr(":[]", c))) {
      return std::nullopt;
    }
  }
  return special ? lower(host) : host;
}

// How JavaScript prints a JSON value in a template string.
std::string js_string(const nlohmann::ordered_json* v) {
  if (!v) return "undefined";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) return "[object Object]";
  if (v->is_array()) {
    std::string out;
    for (const auto& item : *v) out += (out.empty() ? "" : ",") + js_string(&item);
    return out;
  }
  return v->dump();
}

// A property of a JSON object; nullptr when absent (or `j` is no object).
const nlohmann::ordered_json* member(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

bool js_falsy(const nlohmann::ordered_json* v) {
  return !v || v->is_null() || (v->is_boolean() && !v->get<bool>()) ||
         (v->is_number() && v->get<double>() == 0) ||
         (v->is_string() && v->get<std::string>().empty());
}

// JavaScript's a !== b for JSON values (objects and arrays are never identical).
bool js_not_identical(const nlohmann::ordered_json* a, const nlohmann::ordered_json* b) {
  if (!a || !b) return a != b;
  if (a->is_structured() || b->is_structured()) return true;
  return *a != *b;
}

}  // namespace

// --- passkeys (shared/specs/nexterm-passkeys.md) ---

// storeChallenge(): a new challenge; expired ones go.
std::string Nexterm::State::issue_challenge(bool registration, int account_id) {
  const int64_t now = now_ms();
  for (auto it = challenges.begin(); it != challenges.end();) {
    it = now - it->second.created > kChallengeLifeMs ? challenges.erase(it) : std::next(it);
  }
  std::string c = crypto::base64url(crypto::random_bytes(32));
  challenges[c] = Challenge{registration, account_id, now};
  return c;
}

// consumeChallenge(): the challenge is gone whatever its state; true when it was live, of
// this kind, and (registration) asked for by this account.
bool Nexterm::State::consume_challenge(const std::string& c, bool registration, int account_id) {
  auto it = challenges.find(c);
  if (it == challenges.end()) return false;
  const Challenge ch = it->second;
  challenges.erase(it);
  if (now_ms() - ch.created > kChallengeLifeMs) return false;
  if (ch.registration != registration) return false;
  return !registration || ch.account_id == account_id;
}

std::vector<const Passkey*> Nexterm::State::passkeys_of(int account_id) const {
  std::vector<const Passkey*> out;
  for (const auto& [id, p] : passkeys) {
    if (p.account_id == account_id) out.push_back(&p);
  }
  return out;
}

Passkey* Nexterm::State::passkey_by_credential(const std::string& credential_id) {
  for (auto& [id, p] : passkeys) {
    if (p.credential_id == credential_id) return &p;
  }
  return nullptr;
}

json Nexterm::State::credential_list(const std::vector<const Passkey*>& list) {
  json out = json::array();
  for (const Passkey* p : list)
    out.push_back(json{{"id", p->credential_id}, {"type", "public-key"}});
  return out;
}

// decodeClientDataJSON(response.response.clientDataJSON); throws with the message passed on.
Nexterm::State::ClientData Nexterm::State::client_data_of(const json& response) {
  const json* inner = member(response, "response");
  if (!inner || inner->is_null()) {
    throw std::runtime_error("Cannot read properties of undefined (reading 'clientDataJSON')");
  }
  const json* text = member(*inner, "clientDataJSON");
  if (!text || !text->is_string()) {
    throw std::runtime_error("Credential response clientDataJSON was not a string");
  }
  auto raw = crypto::base64url_decode(text->get<std::string>());
  if (!raw)
    throw std::runtime_error("Credential response clientDataJSON was not a base64url string");
  ClientData cd;
  cd.raw = *raw;
  cd.value = json::parse(cd.raw, nullptr, false);
  if (!cd.value.is_object()) throw std::runtime_error("clientDataJSON is not a JSON object");
  return cd;
}

std::string Nexterm::State::challenge_in(const ClientData& cd) {
  const json* c = member(cd.value, "challenge");
  return c && c->is_string() ? c->get<std::string>() : "";
}

// The checks verifyRegistrationResponse and verifyAuthenticationResponse share, up to the
// origin: credential id, rawId, type, clientDataJSON type and origin, token binding.
void Nexterm::State::check_credential_and_client_data(const json& response, const ClientData& cd,
                                                      const std::string& origin,
                                                      bool registration) {
  const json* id = member(response, "id");
  if (js_falsy(id)) throw std::runtime_error("Missing credential ID");
  if (js_not_identical(id, member(response, "rawId"))) {
    throw std::runtime_error("Credential ID was not base64url-encoded");
  }
  const json* type = member(response, "type");
  if (!type || *type != "public-key") {
    throw std::runtime_error("Unexpected credential type " + js_string(type) +
                             ", expected \"public-key\"");
  }
  const std::string what = registration ? "registration" : "authentication";
  const json* cd_type = member(cd.value, "type");
  if (!cd_type || *cd_type != (registration ? "webauthn.create" : "webauthn.get")) {
    throw std::runtime_error("Unexpected " + what + " response type: " + js_string(cd_type));
  }
  const json* cd_origin = member(cd.value, "origin");
  if (!cd_origin || *cd_origin != origin) {
    throw std::runtime_error("Unexpected " + what + " response origin \"" + js_string(cd_origin) +
                             "\", expected \"" + origin + "\"");
  }
  const json* binding = member(cd.value, "tokenBinding");
  if (!js_falsy(binding)) {
    if (!binding->is_object()) {
      throw std::runtime_error(
          registration ? "Unexpected value for TokenBinding \"" + js_string(binding) + "\""
                       : std::string("ClientDataJSON tokenBinding was not an object"));
    }
    const json* status = member(*binding, "status");
    const std::vector<std::string> ok =
        registration ? std::vector<std::string>{"present", "supported", "not-supported"}
                     : std::vector<std::string>{"present", "supported", "notSupported"};
    if (!status || !status->is_string() ||
        std::find(ok.begin(), ok.end(), status->get<std::string>()) == ok.end()) {
      throw std::runtime_error(
          registration ? "Unexpected tokenBinding.status value of \"" + js_string(status) + "\""
                       : "Unexpected tokenBinding status " + js_string(status));
    }
  }
}

void Nexterm::State::check_backup_flags(const webauthn::AuthData& ad) {
  if (ad.bs() && !ad.be()) {
    throw std::runtime_error(
        "Single-device credential indicated that it was backed up, which should be "
        "impossible.");
  }
}

// verifyRegistrationResponse (requireUserVerification on) for ES256 credentials and the
// "none" and self "packed" attestations: false when the attestation signature does not
// verify (302); throws with the message passed on as 303.
bool Nexterm::State::verify_registration(const json& response, const ClientData& cd,
                                         const std::string& origin, const std::string& rp_id,
                                         NewCredential& out) {
  check_credential_and_client_data(response, cd, origin, true);
  const json* inner = member(response, "response");
  const json* att = member(*inner, "attestationObject");
  auto att_bytes =
      att && att->is_string() ? crypto::base64url_decode(att->get<std::string>()) : std::nullopt;
  if (!att_bytes) {
    throw std::runtime_error("Credential response attestationObject was not a base64url string");
  }
  const webauthn::Cbor object = webauthn::cbor_decode_first(*att_bytes).value;
  if (!object.is_map()) throw std::runtime_error("attestationObject is not a CBOR map");
  const webauthn::Cbor* fmt = object.find("fmt");
  const webauthn::Cbor* auth_data = object.find("authData");
  const webauthn::Cbor* att_stmt = object.find("attStmt");
  if (!auth_data || !auth_data->is_bytes()) {
    throw std::runtime_error("attestationObject has no authData byte string");
  }
  const webauthn::AuthData ad = webauthn::parse_auth_data(auth_data->string);
  if (ad.rp_id_hash != webauthn::sha256(rp_id)) throw std::runtime_error("Unexpected RP ID hash");
  if (!ad.up()) throw std::runtime_error("User presence was required, but user was not present");
  if (!ad.uv()) {
    throw std::runtime_error("User verification was required, but user could not be verified");
  }
  if (!ad.attested) throw std::runtime_error("No credential ID was provided by authenticator");
  const webauthn::CoseKey key = webauthn::decode_cose_key(ad.credential_key);
  if (!key.alg) throw std::runtime_error("Credential public key was missing numeric alg");
  if (*key.alg != -8 && *key.alg != -7 && *key.alg != -257) {
    throw std::runtime_error("Unexpected public key alg \"" + std::to_string(*key.alg) +
                             "\", expected one of \"-8, -7, -257\"");
  }
  if (*key.alg != -7) {
    throw std::runtime_error("The test broker accepts ES256 (alg -7) credential keys only");
  }
  webauthn::check_p256_key(key);

  const std::string format =
      fmt && fmt->is_text() ? fmt->string : (fmt ? fmt->describe() : "undefined");
  bool verified = false;
  if (format == "none") {
    if (!att_stmt || !att_stmt->is_map() || !att_stmt->entries.empty()) {
      throw std::runtime_error("None attestation had unexpected attestation statement");
    }
    verified = true;
  } else if (format == "packed") {
    verified = verify_packed_self(att_stmt, auth_data->string, cd.raw, key);
  } else if (format == "fido-u2f" || format == "android-key" || format == "android-safetynet" ||
             format == "tpm" || format == "apple") {
    throw std::runtime_error("The test broker does not verify \"" + format + "\" attestations");
  } else {
    throw std::runtime_error("Unsupported Attestation Format: " + format);
  }
  if (!verified) return false;
  check_backup_flags(ad);
  out.id = crypto::base64url(ad.credential_id);
  if (*member(response, "id") != out.id) {
    throw std::runtime_error("Credential ID does not match the one in the authenticator data");
  }
  out.public_key = ad.credential_key;
  out.counter = ad.sign_count;
  return true;
}

// Packed self attestation: attStmt {alg, sig} signed by the credential key itself.
bool Nexterm::State::verify_packed_self(const webauthn::Cbor* att_stmt,
                                        const std::string& auth_data,
                                        const std::string& client_data,
                                        const webauthn::CoseKey& key) {
  const webauthn::Cbor* sig = att_stmt ? att_stmt->find("sig") : nullptr;
  const webauthn::Cbor* alg = att_stmt ? att_stmt->find("alg") : nullptr;
  if (!sig || !sig->is_bytes()) {
    throw std::runtime_error("No attestation signature provided in attestation statement (Packed)");
  }
  if (!alg || !alg->is_int()) {
    throw std::runtime_error("Attestation Statement alg \"" +
                             (alg ? alg->describe() : std::string("undefined")) +
                             "\" is not a number (Packed)");
  }
  if (att_stmt->find("x5c")) {
    throw std::runtime_error("The test broker does not verify x5c certificates (Packed|Full)");
  }
  if (alg->integer != *key.alg) {
    throw std::runtime_error("Attestation alg \"" + alg->describe() +
                             "\" did not match public key alg \"" + std::to_string(*key.alg) +
                             "\" (Packed|Self)");
  }
  return webauthn::verify_es256(*key.x, *key.y, auth_data + webauthn::sha256(client_data),
                                sig->string) == webauthn::Signature::valid;
}

bool Nexterm::State::is_base64url_string(const json* v) {
  return v && v->is_string() && crypto::base64url_decode(v->get<std::string>()).has_value();
}

// verifyAuthenticationResponse (requireUserVerification on): false when the signature does
// not verify (306); throws with the message passed on as 307. The counter rule comes before
// the signature, as in the library.
bool Nexterm::State::verify_authentication(const json& response, const ClientData& cd,
                                           const std::string& origin, const std::string& rp_id,
                                           const Passkey& pk, uint32_t& new_counter) {
  check_credential_and_client_data(response, cd, origin, false);
  const json& inner = *member(response, "response");
  const json* auth_data = member(inner, "authenticatorData");
  const json* signature = member(inner, "signature");
  const json* user_handle = member(inner, "userHandle");
  if (!is_base64url_string(auth_data)) {
    throw std::runtime_error("Credential response authenticatorData was not a base64url string");
  }
  if (!is_base64url_string(signature)) {
    throw std::runtime_error("Credential response signature was not a base64url string");
  }
  if (!js_falsy(user_handle) && !user_handle->is_string()) {
    throw std::runtime_error("Credential response userHandle was not a string");
  }
  const std::string ad_bytes = *crypto::base64url_decode(auth_data->get<std::string>());
  const webauthn::AuthData ad = webauthn::parse_auth_data(ad_bytes);
  if (ad.rp_id_hash != webauthn::sha256(rp_id)) throw std::runtime_error("Unexpected RP ID hash");
  if (!ad.up()) throw std::runtime_error("User not present during authentication");
  if (!ad.uv()) {
    throw std::runtime_error("User verification required, but user could not be verified");
  }
  if ((ad.sign_count > 0 || pk.counter > 0) && ad.sign_count <= pk.counter) {
    throw std::runtime_error("Response counter value " + std::to_string(ad.sign_count) +
                             " was lower than expected " + std::to_string(pk.counter));
  }
  check_backup_flags(ad);
  const webauthn::CoseKey key = webauthn::decode_cose_key(pk.public_key);
  const std::string sig = *crypto::base64url_decode(signature->get<std::string>());
  new_counter = ad.sign_count;
  return webauthn::verify_es256(*key.x, *key.y, ad_bytes + webauthn::sha256(cd.raw), sig) ==
         webauthn::Signature::valid;
}

// `new URL(origin)` threw outside a try: Express 5 answers the rejected promise with 500.
void Nexterm::State::invalid_url(Response& res, const std::string& where) const {
  express_error(
      res, 500,
      "TypeError: Invalid URL\n    at new URL (node:internal/url:816:29)\n    at " + where);
}

void Nexterm::State::passkey_register_options(const Request& req, Response& res, const Body& body) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  if (!body.defined) return crash(res, "origin", "/app/server/routes/passkey.js:28:96");
  const json* origin = member(body.value, "origin");
  auto host = origin && origin->is_string() ? url_hostname(*origin) : std::nullopt;
  const char* where =
      "module.exports.generateRegistrationOptions (/app/server/controllers/passkey.js:36:19)";
  if (!host) return invalid_url(res, where);
  const Account& a = *auth->account;
  json params = json::array();
  for (int alg : {-8, -7, -257}) params.push_back(json{{"alg", alg}, {"type", "public-key"}});
  json out = {{"challenge", issue_challenge(true, a.id)},
              {"rp", {{"name", "Nexterm"}, {"id", *host}}},
              {"user",
               {{"id", crypto::base64url(std::to_string(a.id))},
                {"name", a.username},
                {"displayName", a.first_name + " " + a.last_name}}},
              {"pubKeyCredParams", params},
              {"timeout", kPasskeyTimeout},
              {"attestation", "none"},
              {"excludeCredentials", credential_list(passkeys_of(a.id))},
              {"authenticatorSelection",
               {{"residentKey", "preferred"},
                {"userVerification", "preferred"},
                {"authenticatorAttachment", "platform"},
                {"requireResidentKey", false}}},
              {"extensions", {{"credProps", true}}}};
  send_json(res, out);
}

void Nexterm::State::passkey_register_verify(const Request& req, Response& res, const Body& body) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  if (!body.defined) return crash(res, "response", "/app/server/routes/passkey.js:42:98");
  std::string err = joi_validate(body.value, passkey_register_schema());
  if (!err.empty()) return send_message(res, 400, err);
  const json& b = body.value;
  const Account& a = *auth->account;
  const std::string origin = b.at("origin");
  const json& response = b.at("response");
  ClientData cd;
  try {
    cd = client_data_of(response);
  } catch (const std::exception& e) {
    return send_code(res, 303, e.what());
  }
  if (!consume_challenge(challenge_in(cd), true, a.id)) {
    return send_code(res, 301, "No registration challenge found");
  }
  NewCredential cred;
  try {
    auto host = url_hostname(origin);
    if (!host) throw std::runtime_error("Invalid URL");
    if (!verify_registration(response, cd, origin, *host, cred)) {
      return send_code(res, 302, "Registration verification failed");
    }
  } catch (const std::exception& e) {
    return send_code(res, 303, e.what());
  }
  if (passkey_by_credential(cred.id)) return send_code(res, 303, "Validation error");
  Passkey p;
  p.id = next_passkey++;
  p.account_id = a.id;
  p.credential_id = cred.id;
  p.public_key = cred.public_key;
  p.counter = cred.counter;
  const json* name = member(b, "name");
  p.name = name ? name->get<std::string>() : "Passkey";
  p.created = now_ms();
  passkeys[p.id] = p;
  send_json(res, json{{"message", "Passkey registered successfully"}, {"verified", true}});
}

void Nexterm::State::passkey_list(const Request& req, Response& res, const Body&) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  std::vector<const Passkey*> mine = passkeys_of(auth->account->id);
  std::sort(mine.begin(), mine.end(), [](const Passkey* x, const Passkey* y) {
    return x->created != y->created ? x->created > y->created : x->id > y->id;
  });
  json list = json::array();
  for (const Passkey* p : mine) {
    list.push_back(json{{"id", p->id}, {"name", p->name}, {"createdAt", iso_ms(p->created)}});
  }
  send_json(res, list);
}

// The caller's passkey for the :id of the path; nullptr after answering 309 or 308.
Passkey* Nexterm::State::own_passkey(const Request& req, Response& res, const Account& a,
                                     bool& invalid) {
  invalid = false;
  auto id = parse_int(req.matches[1]);
  if (!id) {
    invalid = true;
    send_json(res, json{{"code", 309}, {"message", "Invalid passkey ID"}}, 400);
    return nullptr;
  }
  auto it = *id >= 1 && *id <= INT32_MAX ? passkeys.find(static_cast<int>(*id)) : passkeys.end();
  if (it == passkeys.end() || it->second.account_id != a.id) return nullptr;
  return &it->second;
}

void Nexterm::State::passkey_rename(const Request& req, Response& res, const Body& body) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  if (body.defined) {  // Joi lets an undefined body through
    std::string err = joi_validate(body.value, passkey_rename_schema());
    if (!err.empty()) return send_message(res, 400, err);
  }
  bool invalid = false;
  Passkey* p = own_passkey(req, res, *auth->account, invalid);
  if (invalid) return;
  if (!body.defined) return crash(res, "name", "/app/server/routes/passkey.js:73:93");
  if (!p) return send_code(res, 308, kPasskeyNotFound);
  p->name = body.value.at("name");
  send_message(res, 200, "Passkey renamed successfully");
}

void Nexterm::State::passkey_delete(const Request& req, Response& res, const Body&) {
  auto auth = authenticate(req, res);
  if (!auth) return;
  bool invalid = false;
  Passkey* p = own_passkey(req, res, *auth->account, invalid);
  if (invalid) return;
  if (!p) return send_code(res, 308, kPasskeyNotFound);
  passkeys.erase(p->id);
  send_message(res, 200, "Passkey deleted successfully");
}

void Nexterm::State::passkey_auth_options(const Request& req, Response& res, const Body& body) {
  if (rate_limited(auth_limiter, req, res)) return;
  if (!body.defined) return crash(res, "username", "/app/server/routes/auth.js:68:87");
  std::string err = joi_validate(body.value, passkey_options_schema());
  if (!err.empty()) return send_message(res, 400, err);
  const json& b = body.value;
  auto host = url_hostname(b.at("origin"));
  if (!host) {
    return invalid_url(res,
                       "module.exports.generateAuthenticationOptions "
                       "(/app/server/controllers/passkey.js:103:19)");
  }
  const json* username = member(b, "username");
  json allow;
  if (!js_falsy(username)) {
    Account* a = account_by_name(username->get<std::string>());
    if (!a) return send_code(res, 201, "Account not found");
    std::vector<const Passkey*> mine = passkeys_of(a->id);
    if (mine.empty()) return send_code(res, 304, "No passkeys registered");
    allow = credential_list(mine);
  }
  json out = {{"rpId", *host}, {"challenge", issue_challenge(false, 0)}};
  if (!allow.is_null()) out["allowCredentials"] = allow;
  out["timeout"] = kPasskeyTimeout;
  out["userVerification"] = "preferred";
  send_json(res, out);
}

void Nexterm::State::passkey_auth_verify(const Request& req, Response& res, const Body& body) {
  if (rate_limited(auth_limiter, req, res)) return;
  if (!body.defined) return crash(res, "response", "/app/server/routes/auth.js:84:87");
  std::string err = joi_validate(body.value, passkey_auth_schema());
  if (!err.empty()) return send_message(res, 400, err);
  const json& b = body.value;
  const std::string origin = b.at("origin");
  const json& response = b.at("response");
  // Passkey.findOne({where: {credentialId: response.id}}) comes first.
  const json* id = member(response, "id");
  if (!id) {
    return send_code(res, 307, "WHERE parameter \"credentialId\" has invalid \"undefined\" value");
  }
  Passkey* pk = id->is_string() ? passkey_by_credential(id->get<std::string>()) : nullptr;
  if (!pk) return send_code(res, 305, kPasskeyNotFound);
  auto account = accounts.find(pk->account_id);
  if (account == accounts.end()) return send_code(res, 102, "Account not found");
  ClientData cd;
  try {
    cd = client_data_of(response);
  } catch (const std::exception& e) {
    return send_code(res, 307, e.what());
  }
  if (!consume_challenge(challenge_in(cd), false, 0)) {
    return send_code(res, 301, "No authentication challenge found");
  }
  uint32_t counter = 0;
  try {
    auto host = url_hostname(origin);
    if (!host) throw std::runtime_error("Invalid URL");
    if (!verify_authentication(response, cd, origin, *host, *pk, counter)) {
      return send_code(res, 306, "Authentication verification failed");
    }
  } catch (const std::exception& e) {
    return send_code(res, 307, e.what());
  }
  pk->counter = counter;
  std::string ua = req.get_header_value("User-Agent");
  Session& s =
      create_session(account->second.id, req.remote_addr, ua.empty() ? "None" : ua, now_ms());
  res.set_header("Authorization", s.token);
  send_json(res, json{{"token", s.token}, {"message", "Your session got successfully created"}});
}

}  // namespace testbroker
