// libFuzzer harness: the HTTP trace (net/redact), which shows a hostile server's body. The
// input's first line is a known secret, the rest the body. redact_text and redact_body
// (both directions) never crash; trace_body's output is printable (no C0 control, no DEL)
// and never holds the secret. The secret is spelt in letters (no hex digit, n r t u x, or a letter
// of REDACTED) that no escape, marker or JSON re-encoding writes, so finding it in the output means
// it leaked.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/redact.hpp"

namespace net = authctl::net;

namespace {

std::string secret_from(std::string_view bytes) {
  static const char kLetters[] = "ghijklmopqsvwyzG";
  std::string secret;
  for (char c : bytes.substr(0, 64)) secret += kLetters[static_cast<unsigned char>(c) % 16];
  return secret;
}

void check_trace(std::string_view body, net::Direction direction, const std::string& secret) {
  const std::string shown = net::trace_body(body, direction, {secret});
  for (char c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) abort();
  if (secret.size() >= 4 && shown.find(secret) != std::string::npos) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string secret = secret_from(input.substr(0, eol));
  const std::string_view body = eol == std::string_view::npos ? "" : input.substr(eol + 1);
  net::redact_text(input);
  for (net::Direction direction : {net::Direction::request, net::Direction::response}) {
    net::redact_body(input, direction);
    check_trace(body, direction, secret);
  }
  return 0;
}
