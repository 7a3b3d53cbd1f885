// NextermClient's passkey routes (nexterm-passkeys.md): registration, list, rename, delete,
// and the passkey login, with the spec's error codes mapped to exit codes.
#include "backends/decoders.hpp"
#include "backends/nexterm.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/timeutil.hpp"

namespace authctl::backends {

namespace {

int soft_code(const net::Response& r) {
  auto soft = soft_error(r);
  return soft && r.status == 200 ? soft->code : 0;
}

std::string soft_message(const net::Response& r) {
  auto soft = soft_error(r);
  return soft ? soft->message : std::string();
}

}  // namespace

PasskeyCreationOptions NextermClient::passkey_register_options(const std::string& token,
                                                               const std::string& origin) {
  nlohmann::json body = {{"origin", origin}};
  auto doc = expect_json(send("POST", "/api/accounts/passkeys/register/options", token, &body),
                         "passkey registration");
  return decode::passkey_creation_options(doc, host_.authority, host_.host);
}

bool NextermClient::passkey_register_verify(const std::string& token, const std::string& origin,
                                            const std::string& name,
                                            const nlohmann::json& credential) {
  nlohmann::json body = {{"origin", origin}, {"name", name}, {"response", credential}};
  auto r = send("POST", "/api/accounts/passkeys/register/verify", token, &body);
  switch (soft_code(r)) {
    case 301:
      return false;
    case 302:
      throw Error(
          ExitCode::error,
          text::with_server_text(
              host_.authority + " could not verify the new passkey's attestation", soft_message(r)),
          Reason::attestation_failed, ErrorFacts{host_.authority, {}, std::nullopt});
    case 303:
      throw Error(
          ExitCode::error,
          text::with_server_text(host_.authority + " rejected the new passkey", soft_message(r)),
          Reason::passkey_rejected);
    default:
      break;
  }
  auto doc = expect_json(r, "passkey registration");
  if (doc.is_object() && doc.contains("verified") && doc["verified"] != true)
    throw Error(ExitCode::error, host_.authority + " did not verify the new passkey",
                Reason::passkey_unverified);
  return true;
}

std::vector<PasskeyInfo> NextermClient::passkeys(const std::string& token) {
  auto doc = expect_json(send("GET", "/api/accounts/passkeys", token), "passkey list");
  return decode::passkeys(doc, host_.authority);
}

void NextermClient::rename_passkey(const std::string& token, int64_t id, const std::string& name) {
  nlohmann::json body = {{"name", name}};
  auto r = send("PATCH", "/api/accounts/passkeys/" + std::to_string(id), token, &body);
  if (soft_code(r) == 308)
    throw Error(ExitCode::error, "no passkey " + std::to_string(id) + " on " + host_.authority,
                Reason::no_such_passkey);
  expect_json(r, "passkey rename");
}

bool NextermClient::delete_passkey(const std::string& token, int64_t id) {
  auto r = send("DELETE", "/api/accounts/passkeys/" + std::to_string(id), token);
  if (soft_code(r) == 308 || (soft_error(r) && soft_error(r)->code == 309)) return false;
  expect_json(r, "passkey removal");
  return true;
}

PasskeyRequestOptions NextermClient::passkey_login_options(const std::string& origin,
                                                           const std::string& user) {
  nlohmann::json body = {{"origin", origin}};
  if (!user.empty()) body["username"] = user;
  auto r = send("POST", "/api/auth/passkey/options", "", &body);
  switch (soft_code(r)) {
    case 201:
      throw Error(ExitCode::auth, "no user " + user + " on " + host_.authority,
                  Reason::no_such_user);
    case 304:
      throw Error(ExitCode::auth,
                  (user.empty() ? std::string("the account") : user) + " has no passkeys on " +
                      host_.authority,
                  Reason::no_passkeys);
    default:
      break;
  }
  return decode::passkey_request_options(expect_json(r, "passkey login"), host_.authority);
}

PasskeyLogin NextermClient::passkey_login_verify(const std::string& origin,
                                                 const nlohmann::json& assertion) {
  nlohmann::json body = {{"origin", origin}, {"response", assertion}};
  auto r = send("POST", "/api/auth/passkey/verify", "", &body);
  PasskeyLogin result;
  result.clock_offset = decode::clock_offset(r);
  const std::string said = soft_message(r);
  switch (soft_code(r)) {
    case 301:
      result.stale_challenge = true;
      return result;
    case 305:
      throw Error(ExitCode::auth, host_.authority + " does not know this passkey (removed there?)",
                  Reason::passkey_unknown);
    case 306:
      throw Error(ExitCode::auth,
                  text::with_server_text(
                      host_.authority + " could not verify the passkey's signature", said),
                  Reason::passkey_signature);
    case 307:
      throw Error(ExitCode::auth,
                  text::with_server_text("passkey login rejected by " + host_.authority, said),
                  Reason::passkey_origin, ErrorFacts{host_.authority, {}, std::nullopt});
    default:
      break;
  }
  auto doc = expect_json(r, "passkey login");
  result.token = decode::passkey_login_token(doc, host_.authority);
  http_->add_secret(result.token);
  return result;
}

}  // namespace authctl::backends
