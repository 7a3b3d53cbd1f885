// The one convention of every --json output (man authctl, JSON OUTPUT; authctl help json):
// snake_case keys; RFC 3339 UTC times, null when there is none; the profile a command acted
// on under "profile"; what a server sent passed on only under "server"; the waiting commands
// as JSON lines, each with an "event".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/wait_plan.hpp"
#include "store/credentials.hpp"

namespace authctl::cli {

// A time: its RFC 3339 UTC text, or null when there is none.
nlohmann::json json_time(const std::optional<int64_t>& t);

// A profile as login, whoami and status show it: {"profile","kind","url","user","method",
// "expires_at"}, and "enabled" where the server said (Neuron onboarding). "method" is null
// for a method this version does not know (a later version's store).
nlohmann::json profile_json(const std::string& name, const store::Profile& profile);

// {"event":"expired"} when the code (or QR code) expired, {"event":"gave_up"} when --wait
// ran out while it was still valid.
nlohmann::json wait_end_json(WaitEnd end);

}  // namespace authctl::cli
