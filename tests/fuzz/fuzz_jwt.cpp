// libFuzzer harness: a JWT as a server hands it over (core/jwt, core/validate). Decoding
// the claims never crashes and gives an object or nothing; is_jwt keeps its alphabet.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/jwt.hpp"
#include "core/validate.hpp"

namespace {

bool base64url_or_dot(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto claims = authctl::jwt::decode_claims(input); claims && !claims->is_object())
    abort();
  if (authctl::validate::is_jwt(input)) {
    // It goes into an Authorization header: nothing outside base64url and '.', bounded.
    if (input.empty() || input.size() > 16 * 1024) abort();
    for (char c : input)
      if (!base64url_or_dot(c)) abort();
  }
  return 0;
}
