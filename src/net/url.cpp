#include "net/url.hpp"

#include <curl/curl.h>

#include "core/error.hpp"

namespace authctl::net {

std::string url_encode(std::string_view text) {
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (!escaped) throw Error(ExitCode::error, "out of memory while encoding a URL");
  std::string out = escaped;
  curl_free(escaped);
  return out;
}

}  // namespace authctl::net
