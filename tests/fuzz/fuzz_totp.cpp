// libFuzzer harness: the TOTP secret a user gives (core/totp): base32 text, or the
// otpauth:// URL the server shows. Decoding never crashes; base32 decodes to 5 bits per
// alphabet character; a secret found computes a six-digit code; only an otpauth:// URL
// without a secret throws (a usage error).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/totp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto bytes = authctl::totp::base32_decode(input)) {
    size_t symbols = 0;
    for (char c : input) symbols += std::string(" -=\n\r\t").find(c) == std::string::npos;
    if (bytes->size() != symbols * 5 / 8) abort();
  }
  try {
    if (const auto secret = authctl::totp::secret_from_text(input)) {
      if (secret->empty()) abort();
      const std::string code = authctl::totp::code_at(*secret, 1700000000);
      if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos) abort();
    }
  } catch (const authctl::Error& e) {
    // Only an otpauth:// URL without a secret is refused with an error of its own.
    if (e.code() != authctl::ExitCode::usage || input.rfind("otpauth://", 0) != 0) abort();
  }
  return 0;
}
