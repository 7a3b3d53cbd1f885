#include "core/jwt.hpp"

#include "core/crypto.hpp"

namespace authctl::jwt {

std::optional<nlohmann::json> decode_claims(std::string_view token) {
  size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  auto payload = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  auto claims = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
  return claims;
}

}  // namespace authctl::jwt
