// Decoding a JWT for display. Validity is never judged from the token itself: the server's
// `expires` is the truth (neuron-agent-api.md, "JWT").
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace authctl::jwt {

// The payload (claims) of a compact JWS, or nullopt when it is not one (or its payload is
// not a JSON object, or is nested deeper than json_input::kMaxDepth).
std::optional<nlohmann::json> decode_claims(std::string_view token);

}  // namespace authctl::jwt
