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
