// What every command needs of a stored session, whichever server holds it (issue 11): who
// the account is, ending the session, and whether it can be refreshed. Both servers'
// clients implement it, so no command compares kinds to do these.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/neuron.hpp"
#include "backends/nexterm.hpp"
#include "net/http.hpp"
#include "store/credentials.hpp"

namespace authctl::backends {

// One line of an account as whoami shows it: a field name and its value as text (times in
// RFC 3339, flags as yes/no). The value is the server's and is escaped when shown.
struct AccountField {
  std::string name;
  std::string text;
};

struct Account {
  std::string user;                  // the server's user name ("" when it gives none)
  std::vector<AccountField> fields;  // in the order whoami shows them
  nlohmann::json server;             // the answer as the server sent it (--json passes it on)
};

enum class LogoutOutcome {
  ended,          // the server ended the session now
  already_ended,  // the server no longer knew the token
  key_kept,       // an API key: it stays valid until revoked, nothing was asked
};

class SessionClient {
 public:
  virtual ~SessionClient() = default;
  // The server's view of the account (Neuron Account/Info, Nexterm /api/accounts/me).
  // A token the server no longer takes is Error(auth).
  virtual Account account() = 0;
  // Ends the session on the server. A network failure throws (the caller keeps the profile).
  virtual LogoutOutcome logout() = 0;
};

// A client for `profile`'s session over its own HTTP client made with `options`; the
// profile's secrets (token, remembered cookies) are registered with the trace.
std::unique_ptr<SessionClient> connect_session(const store::Profile& profile,
                                               net::ClientOptions options);

// The typed client of `profile`'s server for the calls only one server has, with an HTTP
// client of its own and the profile's secrets registered with the trace.
NeuronClient neuron_client(const store::Profile& profile, net::ClientOptions options);
NextermClient nexterm_client(const store::Profile& profile, net::ClientOptions options);

// Whether `profile`'s tokens expire and are renewed by a Refresh (Neuron), without asking
// the server: Nexterm sessions and API keys do not expire.
bool refreshable(const store::Profile& profile);
// Whether `profile` holds a Nexterm API key rather than a session token: neither expires,
// but a key stays valid until it is revoked.
bool holds_api_key(const store::Profile& profile);

// The whoami lines of an answer (pure: decoders for both servers).
std::vector<AccountField> neuron_account_fields(const nlohmann::json& info);
std::vector<AccountField> nexterm_account_fields(const nlohmann::json& me);
// The whoami lines of a token's own claims (jwt::decode_claims of a Neuron JWT), in key
// order: each value as text (a string as it is, else its JSON), and the registered times
// (exp, iat, nbf) followed by their RFC 3339 form: "1800000000 (2027-01-15T08:00:00Z)".
std::vector<AccountField> token_claim_fields(const nlohmann::json& claims);

}  // namespace authctl::backends
