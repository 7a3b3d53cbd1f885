#include "backends/session_client.hpp"

#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"
#include "core/error.hpp"
#include "core/timeutil.hpp"

namespace authctl::backends {

namespace {

std::string field_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void add_texts(const nlohmann::json& doc, std::initializer_list<const char*> keys,
               std::vector<AccountField>& out) {
  for (const char* key : keys)
    if (doc.contains(key)) out.push_back({key, field_text(doc[key])});
}

// Neuron and Nexterm both send these (Nexterm's as 0/1 or booleans, times in ms or ISO).
void add_common(const nlohmann::json& doc, std::vector<AccountField>& out) {
  add_texts(doc, {"eMail", "phoneNr"}, out);
  for (const char* key : {"created", "updated", "eMailVerified", "phoneNrVerified"}) {
    if (!doc.contains(key)) continue;
    auto when = timeutil::parse_time_value(doc[key]);
    out.push_back({key, when ? timeutil::format_rfc3339(*when) : field_text(doc[key])});
  }
}

std::string user_of(const nlohmann::json& doc, const char* field) {
  auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename Client>
void register_secrets(Client& client, const store::Profile& profile) {
  client.hide(profile.token);
  for (const auto& entry : profile.remote_cookies) client.hide(entry.second);
}

// A logout the server refuses as unauthorised ended already: the token was no longer valid.
template <typename EndSession>
LogoutOutcome ended_unless_rejected(EndSession&& end_session) {
  try {
    return end_session();
  } catch (const Error& e) {
    if (e.code() == ExitCode::auth) return LogoutOutcome::already_ended;
    throw;
  }
}

class NeuronSessionClient : public SessionClient {
 public:
  NeuronSessionClient(const store::Profile& profile, net::ClientOptions options)
      : neuron_(neuron_client(profile, std::move(options))), token_(profile.token) {}
  Account account() override {
    nlohmann::json info = neuron_.info(token_);
    return {user_of(info, "userName"), neuron_account_fields(info), std::move(info)};
  }
  LogoutOutcome logout() override {
    return ended_unless_rejected([&] {
      neuron_.logout(token_);
      return LogoutOutcome::ended;
    });
  }

 private:
  NeuronClient neuron_;
  std::string token_;
};

class NextermSessionClient : public SessionClient {
 public:
  NextermSessionClient(const store::Profile& profile, net::ClientOptions options)
      : nexterm_(nexterm_client(profile, std::move(options))), token_(profile.token) {}
  Account account() override {
    nlohmann::json me = nexterm_.me(token_);
    return {user_of(me, "username"), nexterm_account_fields(me), std::move(me)};
  }
  LogoutOutcome logout() override {
    if (is_nexterm_api_key(token_)) return LogoutOutcome::key_kept;
    // The token goes in the body; {"code":204} means the server no longer knew it.
    return ended_unless_rejected([&] {
      return nexterm_.logout(token_) ? LogoutOutcome::ended : LogoutOutcome::already_ended;
    });
  }

 private:
  NextermClient nexterm_;
  std::string token_;
};

}  // namespace

std::vector<AccountField> neuron_account_fields(const nlohmann::json& info) {
  std::vector<AccountField> out;
  if (info.is_object()) add_common(info, out);
  return out;
}

std::vector<AccountField> nexterm_account_fields(const nlohmann::json& me) {
  std::vector<AccountField> out;
  if (!me.is_object()) return out;
  add_texts(me, {"id", "firstName", "lastName"}, out);
  for (const char* key : {"isAdmin", "totpEnabled"})  // 0/1 or true/false
    if (me.contains(key)) out.push_back({key, me[key] == true || me[key] == 1 ? "yes" : "no"});
  add_common(me, out);
  return out;
}

std::vector<AccountField> token_claim_fields(const nlohmann::json& claims) {
  std::vector<AccountField> out;
  if (!claims.is_object()) return out;
  for (const auto& item : claims.items()) {
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if ((key == "exp" || key == "iat" || key == "nbf") && value.is_number_integer())
      text += " (" + timeutil::format_rfc3339(value.get<int64_t>()) + ")";
    out.push_back({key, std::move(text)});
  }
  return out;
}

NeuronClient neuron_client(const store::Profile& profile, net::ClientOptions options) {
  NeuronClient client(std::move(options), profile.url);
  register_secrets(client, profile);
  return client;
}

NextermClient nexterm_client(const store::Profile& profile, net::ClientOptions options) {
  NextermClient client(std::move(options), profile.url);
  register_secrets(client, profile);
  return client;
}

bool refreshable(const store::Profile& profile) {
  return profile.kind == store::Kind::neuron;
}

bool holds_api_key(const store::Profile& profile) {
  if (profile.kind != store::Kind::nexterm) return false;
  // A keyring profile whose token could not be read: how it logged in says what it holds.
  if (profile.secret != store::SecretState::here)
    return profile.method == store::LoginMethod::api_key;
  return is_nexterm_api_key(profile.token);
}

std::unique_ptr<SessionClient> connect_session(const store::Profile& profile,
                                               net::ClientOptions options) {
  if (profile.kind == store::Kind::nexterm)
    return std::make_unique<NextermSessionClient>(profile, std::move(options));
  return std::make_unique<NeuronSessionClient>(profile, std::move(options));
}

}  // namespace authctl::backends
