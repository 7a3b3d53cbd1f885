// The pure parts of the waiting flows (device-link, device-link phone, remote quick login):
// the links they show, which sessions a device authorization made, and what a signature
// event says. No I/O: the commands ask the typed clients and hand the answers here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/nexterm.hpp"

namespace authctl::backends {

// The page where a person approves device code `code` on the server at `origin`.
std::string device_approval_url(const std::string& origin, const std::string& code);
// The same approval in the Nexterm app: nexterm://authorize?code=CODE&server=ORIGIN.
std::string device_approval_app_link(const std::string& origin, const std::string& code);
// The link that hands a phone session to the Nexterm app:
// nexterm://devicelink?token=POLL_TOKEN&server=ORIGIN. It carries the poll token, a secret.
std::string phone_link(const std::string& origin, const std::string& poll_token);

// The ids of the sessions in `after` that are not in `before`, not the caller's own, and
// carry `user_agent`: what a device authorization from this client just made.
std::vector<int64_t> sessions_added(const std::vector<NextermSession>& before,
                                    const std::vector<NextermSession>& after,
                                    const std::string& user_agent);
// The ids of the sessions marked as the caller's own (one, from a well-behaved server).
std::vector<int64_t> current_sessions(const std::vector<NextermSession>& sessions);

// What the user did with a signing petition, from the `data` of its signature event.
struct PetitionAnswer {
  bool approved = false;
  std::string state;  // the contract state the event names (the server's text)
};

namespace decode {
// The event's contract "State": Approved and Signed approve; any other text refuses. An
// event without a textual State is the signature itself, which approves.
PetitionAnswer petition_answer(const nlohmann::json& signature);
}  // namespace decode

}  // namespace authctl::backends
