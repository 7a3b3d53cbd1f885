// The test broker's Neuron endpoints: the Agent API account endpoints (DomainInfo, Login,
// Create, VerifyEMail/VerifyPhoneNr, ResendVerificationCodes, Refresh, Logout, Info,
// AuthenticateJwt). Part of Broker::Impl (broker_impl.hpp); the choices where the spec is
// open are listed in broker.hpp.
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "broker_crypto.hpp"
#include "broker_impl.hpp"
#include "broker_util.hpp"

namespace testbroker {

namespace {

constexpr size_t kMinNonce = 32;

// The Host header as received and, when it carries a port, without it (the spec leaves
// open which one the real server signs; the broker accepts both).
std::vector<std::string> host_readings(const std::string& host) {
  std::vector<std::string> out{host};
  size_t colon = host.rfind(':');
  size_t bracket = host.rfind(']');
  bool has_port =
      colon != std::string::npos &&
      (bracket != std::string::npos ? colon > bracket : host.find(':') == colon);  // one colon only
  if (has_port) out.push_back(host.substr(0, colon));
  return out;
}

}  // namespace

// --- Neuron endpoints ---

void Broker::Impl::domain_info(const Request&, Response& res) {
  send_json(
      res,
      {{"domain", opts.domain}, {"useEncryption", false}, {"humanReadableName", "Test Broker"}});
}

// Checks a Login/Create signature against every reading of the Host header.
bool Broker::Impl::signature_ok(const std::string& key, const std::string& before_host,
                                const std::string& after_host, const std::string& host,
                                const std::string& signature) {
  bool ok = false;
  for (const std::string& h : host_readings(host)) {
    ok = crypto::equal_constant_time(signature, crypto::sign(key, before_host + h + after_host)) ||
         ok;
  }
  return ok;
}

// Common failure path of signed requests: 403, or 429 when this failure blocks the IP.
void Broker::Impl::signature_failed_locked(const Request& req, Response& res) {
  if (register_failure_locked(req.remote_addr)) {
    send_error(req, res, 429, too_many_text(req));
  } else {
    send_error(req, res, 403, "Invalid signature.");
  }
}

void Broker::Impl::login(const Request& req, Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
  }
  auto body = read_body(req, res,
                        {{"userName", Type::string, true},
                         {"nonce", Type::string, true},
                         {"signature", Type::string, true},
                         {"seconds", Type::integer, true}});
  if (!body) return;
  if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
  const std::string user = (*body)["userName"], nonce = (*body)["nonce"],
                    signature = (*body)["signature"];
  if (nonce.size() < kMinNonce) return send_error(req, res, 400, "Nonce too short.");
  const std::string host = req.get_header_value("Host");

  std::lock_guard<std::mutex> lock(mu);
  hosts.push_back(host);
  if (!nonces.insert(nonce).second) return send_error(req, res, 403, "Nonce already used.");
  auto it = accounts.find(user);
  // An unknown user gets the same answer as a bad signature (no user enumeration).
  if (it == accounts.end() ||
      !signature_ok(it->second.password, user + ":", ":" + nonce, host, signature)) {
    return signature_failed_locked(req, res);
  }
  failures.erase(req.remote_addr);
  if (!it->second.enabled()) return send_error(req, res, 403, "Account not enabled.");
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
  send_json(res, {{"jwt", jwt}, {"expires", expires}});
}

void Broker::Impl::create(const Request& req, Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (blocked_locked(req.remote_addr)) return send_error(req, res, 429, too_many_text(req));
  }
  auto body = read_body(req, res,
                        {{"userName", Type::string, true},
                         {"eMail", Type::string, true},
                         {"phoneNr", Type::string, false},
                         {"password", Type::string, true},
                         {"apiKey", Type::string, true},
                         {"nonce", Type::string, true},
                         {"signature", Type::string, true},
                         {"seconds", Type::integer, true},
                         {"language", Type::string, false}});
  if (!body) return;
  if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
  const json& b = *body;
  const std::string user = b["userName"], email = b["eMail"], password = b["password"],
                    api_key = b["apiKey"], nonce = b["nonce"], signature = b["signature"];
  const std::string phone = b.value("phoneNr", "");
  if (user.empty() || user.find('@') != std::string::npos) {
    return send_error(req, res, 400, "Invalid user name.");
  }
  if (email.find('@') == std::string::npos) {
    return send_error(req, res, 400, "Invalid e-mail address.");
  }
  if (password.empty()) return send_error(req, res, 400, "Empty password.");
  if (nonce.size() < kMinNonce) return send_error(req, res, 400, "Nonce too short.");
  const std::string host = req.get_header_value("Host");

  std::lock_guard<std::mutex> lock(mu);
  hosts.push_back(host);
  if (!nonces.insert(nonce).second) return send_error(req, res, 403, "Nonce already used.");
  auto key = api_keys.find(api_key);
  std::string after_host = ":" + email + ":" + (phone.empty() ? "" : phone + ":") + password + ":" +
                           api_key + ":" + nonce;
  if (key == api_keys.end() ||
      !signature_ok(key->second, user + ":", after_host, host, signature)) {
    return signature_failed_locked(req, res);
  }
  failures.erase(req.remote_addr);
  if (accounts.count(user)) {
    int n = 0;
    for (int i = 1; n < 2; ++i) {
      std::string alternative = user + std::to_string(i);
      if (!accounts.count(alternative)) {
        res.set_header("X-AlternativeName" + std::to_string(++n), alternative);
      }
    }
    return send_error(req, res, 409, "Account name already taken.");
  }
  Account& a = accounts[user];
  a.user = user;
  a.password = password;
  a.email = email;
  a.phone = phone;
  a.created = a.updated = now_locked();
  a.email_code = crypto::random_int(100000, 999999);
  if (!phone.empty()) a.phone_code = crypto::random_int(100000, 999999);
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(user, b["seconds"].get<int64_t>(), expires);
  json out = {{"created", a.created}, {"enabled", false},   {"canRelay", false},
              {"jwt", jwt},           {"expires", expires}, {"eMailCodeSent", true}};
  if (!phone.empty()) out["phoneNrCodeSent"] = true;
  send_json(res, out);
}

// VerifyEMail / VerifyPhoneNr. The Create JWT is optional, but when one is sent it must
// be valid (401 otherwise).
void Broker::Impl::verify(const Request& req, Response& res, bool email) {
  const char* field = email ? "eMail" : "phoneNr";
  auto body = read_body(req, res);
  if (!body) return;
  std::lock_guard<std::mutex> lock(mu);
  if (req.has_header("Authorization") && !require_bearer_locked(req, res)) return;
  std::string err =
      check_schema(*body, {{field, Type::string, true}, {"code", Type::integer, true}});
  if (!err.empty()) return send_error(req, res, 400, err);
  const std::string address = (*body)[field];
  const int64_t code = (*body)["code"].get<int64_t>();
  for (auto& [name, a] : accounts) {
    const std::string& mine = email ? a.email : a.phone;
    int expected = email ? a.email_code : a.phone_code;
    if (mine != address || expected == 0 || expected != code) continue;
    int64_t& verified = email ? a.email_verified : a.phone_verified;
    if (!verified) verified = a.updated = now_locked();
    return send_json(res, {{field, address}, {"userName", name}});
  }
  send_error(req, res, 403, "Invalid verification code.");
}

void Broker::Impl::resend_codes(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  auto claims = require_bearer_locked(req, res);
  if (!claims) return;
  auto body = read_body(req, res,
                        {{"eMail", Type::string, true},
                         {"phoneNr", Type::string, false},
                         {"language", Type::string, false}});
  if (!body) return;
  auto it = accounts.find((*claims)["sub"].get<std::string>());
  if (it == accounts.end()) return send_unauthorized(req, res);
  if ((*body)["eMail"] != it->second.email ||
      (body->contains("phoneNr") && (*body)["phoneNr"] != it->second.phone)) {
    return send_error(req, res, 400, "Addresses do not match the account.");
  }
  send_json(res, json::object());
}

void Broker::Impl::refresh(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  auto claims = require_bearer_locked(req, res);
  if (!claims) return;
  auto body = read_body(req, res, {{"seconds", Type::integer, true}});
  if (!body) return;
  if (!valid_seconds(*body)) return send_error(req, res, 400, "seconds must be 1..3600.");
  std::string user = (*claims)["sub"];
  if (!accounts.count(user)) return send_unauthorized(req, res);
  int64_t expires = 0;
  std::string jwt = make_jwt_locked(user, (*body)["seconds"].get<int64_t>(), expires);
  send_json(res, {{"jwt", jwt}, {"expires", expires}});
}

void Broker::Impl::logout(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  auto claims = require_bearer_locked(req, res);
  if (!claims) return;
  auto body = read_body(req, res, {});
  if (!body) return;
  revoked.insert((*claims)["jti"].get<std::string>());
  send_json(res, json::object());
}

void Broker::Impl::info(const Request& req, Response& res) {
  std::lock_guard<std::mutex> lock(mu);
  auto claims = require_bearer_locked(req, res);
  if (!claims) return;
  auto body = read_body(req, res, {});
  if (!body) return;
  auto it = accounts.find((*claims)["sub"].get<std::string>());
  if (it == accounts.end()) return send_unauthorized(req, res);
  const Account& a = it->second;
  json out = {
      {"userName", a.user}, {"created", a.created}, {"updated", a.updated}, {"eMail", a.email}};
  if (a.email_verified) out["eMailVerified"] = a.email_verified;
  if (!a.phone.empty()) out["phoneNr"] = a.phone;
  if (a.phone_verified) out["phoneNrVerified"] = a.phone_verified;
  send_json(res, out);
}

// {header, payload} are the decoded JSON texts, signature the base64url segment.
void Broker::Impl::authenticate_jwt(const Request& req, Response& res) {
  auto body = read_body(req, res, {{"token", Type::string, false}});
  if (!body) return;
  std::string token =
      body->contains("token") ? (*body)["token"].get<std::string>() : bearer_token(req);
  std::lock_guard<std::mutex> lock(mu);
  auto d = verify_jwt_locked(token);
  if (!d) return send_error(req, res, 403, "Invalid token.");
  const json& c = d->claims;
  json out = {{"header", d->header_text},
              {"payload", d->payload_text},
              {"signature", d->signature},
              {"algorithm", "HS256"},
              {"claims", c},
              {"type", d->header.value("typ", "JWT")},
              {"issuer", c["iss"]},
              {"subject", c["sub"]},
              {"id", c["jti"]},
              {"expiration", c["exp"]}};
  if (c.contains("iat")) out["issuedAt"] = c["iat"];
  send_json(res, out);
}

}  // namespace testbroker
