// backends/waiting_flows: the links the device flows show, which sessions an authorization
// made, and what a signature event says about a petition.
#include <doctest/doctest.h>

#include "backends/waiting_flows.hpp"

using namespace authctl::backends;

namespace {

NextermSession session(int64_t id, const std::string& user_agent, bool current = false) {
  NextermSession s;
  s.id = id;
  s.user_agent = user_agent;
  s.current = current;
  return s;
}

}  // namespace

TEST_CASE("device links: the approval page, the app's authorize link and the phone link") {
  CHECK(device_approval_url("https://nx.example:8443", "ABCD-EFGH") ==
        "https://nx.example:8443/link?code=ABCD-EFGH");
  CHECK(device_approval_app_link("https://nx.example:8443", "ABCD-EFGH") ==
        "nexterm://authorize?code=ABCD-EFGH&server=https%3A%2F%2Fnx.example%3A8443");
  const std::string token(64, 'a');
  CHECK(phone_link("http://127.0.0.1:5000", token) ==
        "nexterm://devicelink?token=" + token + "&server=http%3A%2F%2F127.0.0.1%3A5000");
}

TEST_CASE("sessions_added: new, not the caller's own, and with this client's User-Agent") {
  const std::vector<NextermSession> before = {session(1, "authctl/1.0", true),
                                              session(2, "authctl/1.0")};
  const std::vector<NextermSession> after = {
      session(1, "authctl/1.0", true), session(2, "authctl/1.0"), session(3, "authctl/1.0"),
      session(4, "Mozilla/5.0"), session(5, "authctl/1.0", true)};
  CHECK(sessions_added(before, after, "authctl/1.0") == std::vector<int64_t>{3});
  CHECK(sessions_added({}, after, "Mozilla/5.0") == std::vector<int64_t>{4});
  CHECK(sessions_added(after, after, "authctl/1.0").empty());
}

TEST_CASE("current_sessions: the ids marked as the caller's") {
  CHECK(current_sessions({session(1, "a"), session(2, "a", true)}) == std::vector<int64_t>{2});
  CHECK(current_sessions({session(1, "a")}).empty());
  CHECK(current_sessions({session(1, "a", true), session(2, "b", true)}).size() == 2);
}

TEST_CASE("petition_answer: Approved and Signed approve, other states refuse") {
  using nlohmann::json;
  CHECK(decode::petition_answer(json{{"State", "Approved"}}).approved);
  CHECK(decode::petition_answer(json{{"State", "Signed"}}).approved);
  const PetitionAnswer rejected = decode::petition_answer(json{{"State", "Rejected"}});
  CHECK_FALSE(rejected.approved);
  CHECK(rejected.state == "Rejected");
  CHECK_FALSE(decode::petition_answer(json{{"State", "approved"}}).approved);  // exact text
  CHECK_FALSE(decode::petition_answer(json{{"State", ""}}).approved);
}

TEST_CASE("petition_answer: an event without a textual State is the signature itself") {
  using nlohmann::json;
  CHECK(decode::petition_answer(json::object()).approved);
  CHECK(decode::petition_answer(json{{"State", 3}}).approved);
  CHECK(decode::petition_answer(json{{"State", nullptr}}).approved);
  CHECK(decode::petition_answer(json::array({"State", "Rejected"})).approved);
  CHECK(decode::petition_answer(json("Rejected")).approved);
  CHECK(decode::petition_answer(json{{"State", "Approved"}}).state == "Approved");
}
