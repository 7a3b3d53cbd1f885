// backends/session_client: whoami's lines of each server's account answer, and which
// profiles refresh.
#include <doctest/doctest.h>

#include "backends/session_client.hpp"

using namespace authctl::backends;

namespace {

std::string line(const std::vector<AccountField>& fields, const std::string& name) {
  for (const auto& f : fields)
    if (f.name == name) return f.text;
  return "(absent)";
}

}  // namespace

TEST_CASE("nexterm_account_fields: ids, names, 0/1 flags as yes/no, times in RFC 3339") {
  const auto me = nlohmann::json::parse(R"({"id": 7, "username": "alice", "firstName": "Alice",
      "isAdmin": 1, "totpEnabled": false, "created": "2026-01-02T03:04:05Z", "other": "x"})");
  const auto fields = nexterm_account_fields(me);
  CHECK(line(fields, "id") == "7");
  CHECK(line(fields, "firstName") == "Alice");
  CHECK(line(fields, "lastName") == "(absent)");
  CHECK(line(fields, "isAdmin") == "yes");
  CHECK(line(fields, "totpEnabled") == "no");
  CHECK(line(fields, "created") == "2026-01-02T03:04:05Z");
  CHECK(line(fields, "other") == "(absent)");
  CHECK(fields.front().name == "id");  // whoami's order
}

TEST_CASE("neuron_account_fields: mail, phone and the times; a non-object gives none") {
  const auto info = nlohmann::json::parse(
      R"({"userName": "bob", "eMail": "b@example.org", "created": 1800000000, "id": 5})");
  const auto fields = neuron_account_fields(info);
  CHECK(line(fields, "eMail") == "b@example.org");
  CHECK(line(fields, "created") == "2027-01-15T08:00:00Z");
  CHECK(line(fields, "id") == "(absent)");  // Nexterm's field, not shown for Neuron
  CHECK(neuron_account_fields(nlohmann::json::array({1, 2})).empty());
}

TEST_CASE("refreshable: Neuron profiles only") {
  authctl::store::Profile p;
  p.kind = authctl::store::Kind::neuron;
  CHECK(refreshable(p));
  p.kind = authctl::store::Kind::nexterm;
  CHECK(!refreshable(p));
}

TEST_CASE("holds_api_key: a Nexterm profile with an nxt_ key, not a session token") {
  authctl::store::Profile p;
  p.kind = authctl::store::Kind::nexterm;
  p.token = "nxt_" + std::string(64, 'a');
  CHECK(holds_api_key(p));
  p.token = std::string(96, 'a');  // a session token
  CHECK(!holds_api_key(p));
  p.token = "nxt_" + std::string(63, 'a');
  CHECK(!holds_api_key(p));
  p.kind = authctl::store::Kind::neuron;
  p.token = "nxt_" + std::string(64, 'a');
  CHECK(!holds_api_key(p));  // a Neuron profile holds a JWT
}

TEST_CASE("token_claim_fields: values as text, registered times with their RFC 3339 form") {
  const auto claims = nlohmann::json::parse(R"({"sub": "alice", "exp": 1800000000,
      "iat": "1800000000", "nbf": 1.5, "jti": 7, "aud": ["a", "b"], "auth_time": 1800000000})");
  const auto fields = token_claim_fields(claims);
  CHECK(line(fields, "sub") == "alice");
  CHECK(line(fields, "exp") == "1800000000 (2027-01-15T08:00:00Z)");
  CHECK(line(fields, "iat") == "1800000000");  // a string: not read as a time
  CHECK(line(fields, "nbf") == "1.5");
  CHECK(line(fields, "jti") == "7");
  CHECK(line(fields, "aud") == R"(["a","b"])");
  CHECK(line(fields, "auth_time") == "1800000000");  // not a registered time claim
  CHECK(fields.front().name == "aud");               // key order
  CHECK(token_claim_fields(nlohmann::json::object()).empty());
  CHECK(token_claim_fields(nlohmann::json::array({1})).empty());
}
