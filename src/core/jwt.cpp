#include "core/jwt.hpp"

#include "core/crypto.hpp"
#include "core/json_input.hpp"

namespace authctl::jwt {

std::optional<nlohmann::json> decode_claims(std::string_view token) {
  size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  auto payload = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  // The payload is outside input: parsed with the depth bound (a deep one is no JWT).
  json_input::Parsed claims = json_input::parse(*payload);
  if (!claims.ok() || !claims.value.is_object()) return std::nullopt;
  return std::move(claims.value);
}

}  // namespace authctl::jwt
