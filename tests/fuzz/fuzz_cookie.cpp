// libFuzzer harness: the HttpSessionID cookie a user pastes or exports (core/cookie): a
// bare value, HttpSessionID=V, Cookie:/Set-Cookie: lines or cookies.txt. The input's first
// line is the --host's host name, the rest the text. Whatever is found goes into a Cookie
// header, so it must be an RFC 6265 cookie value.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/cookie.hpp"
#include "core/validate.hpp"

namespace {

void check(std::string_view text, std::string_view host) {
  const auto value = authctl::cookie::http_session_id(text, host);
  if (value && !authctl::validate::is_cookie_value(*value)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view host = input.substr(0, eol);
  const std::string_view text = eol == std::string_view::npos ? "" : input.substr(eol + 1);
  check(text, host);
  check(input, "broker.example.org");  // the whole input as a pasted value
  return 0;
}
