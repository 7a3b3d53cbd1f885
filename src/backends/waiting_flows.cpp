#include "backends/waiting_flows.hpp"

#include <algorithm>

#include "net/url.hpp"

namespace authctl::backends {

std::string device_approval_url(const std::string& origin, const std::string& code) {
  return origin + "/link?code=" + code;
}

std::string device_approval_app_link(const std::string& origin, const std::string& code) {
  return "nexterm://authorize?code=" + code + "&server=" + net::url_encode(origin);
}

std::string phone_link(const std::string& origin, const std::string& poll_token) {
  return "nexterm://devicelink?token=" + poll_token + "&server=" + net::url_encode(origin);
}

std::vector<int64_t> sessions_added(const std::vector<NextermSession>& before,
                                    const std::vector<NextermSession>& after,
                                    const std::string& user_agent) {
  std::vector<int64_t> ids;
  for (const auto& s : after) {
    const bool known = std::any_of(before.begin(), before.end(),
                                   [&s](const NextermSession& b) { return b.id == s.id; });
    if (!known && !s.current && s.user_agent == user_agent) ids.push_back(s.id);
  }
  return ids;
}

std::vector<int64_t> current_sessions(const std::vector<NextermSession>& sessions) {
  std::vector<int64_t> ids;
  for (const auto& s : sessions)
    if (s.current) ids.push_back(s.id);
  return ids;
}

namespace decode {

PetitionAnswer petition_answer(const nlohmann::json& signature) {
  PetitionAnswer answer;
  const auto state = signature.find("State");  // end() for a non-object
  answer.state = state != signature.end() && state->is_string() ? state->get<std::string>()
                                                                : std::string("Approved");
  answer.approved = answer.state == "Approved" || answer.state == "Signed";
  return answer;
}

}  // namespace decode

}  // namespace authctl::backends
