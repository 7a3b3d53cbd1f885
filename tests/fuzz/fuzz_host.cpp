// libFuzzer harness: --host and a profile's stored URL (core/host). Any input must give a
// HostSpec or an authctl::Error, never a crash; what parses must keep its own rules.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/host.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (bool allow_http : {false, true}) {
    try {
      const authctl::HostSpec spec = authctl::parse_host(input, allow_http);
      if (spec.port < 1 || spec.port > 65535) abort();
      if (spec.scheme != "https" && spec.scheme != "http") abort();
      if (spec.origin.find_first_of("@/?# \r\n", spec.scheme.size() + 3) != std::string::npos)
        abort();
      // The origin is a URL of the same rules: it parses to itself.
      if (authctl::parse_host(spec.origin, true).origin != spec.origin) abort();
    } catch (const authctl::Error&) {
    }
  }
  return 0;
}
