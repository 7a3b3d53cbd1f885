// Percent-encoding for links we build (libcurl's curl_easy_escape).
#pragma once

#include <string>
#include <string_view>

namespace authctl::net {

std::string url_encode(std::string_view text);

}  // namespace authctl::net
