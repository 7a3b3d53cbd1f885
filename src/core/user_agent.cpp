#include "core/user_agent.hpp"

#include <cctype>
#include <optional>

namespace authctl::user_agent {

namespace {

bool has(std::string_view header, std::string_view part) {
  return header.find(part) != std::string_view::npos;
}

// The major version after the first `product/` that starts a word ("Chrome/126.0" -> "126"),
// "" when it has no digits; nullopt when the product is not there.
std::optional<std::string> major_version(std::string_view header, std::string_view product) {
  for (size_t at = header.find(product); at != std::string_view::npos;
       at = header.find(product, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(header[at - 1]))) continue;
    std::string digits;
    for (size_t i = at + product.size(); i < header.size() && digits.size() < 5 &&
                                         std::isdigit(static_cast<unsigned char>(header[i]));
         ++i)
      digits += header[i];
    return digits;
  }
  return std::nullopt;
}

struct Browser {
  std::string_view name;
  std::string_view product;  // the token that carries its version
};

// Most specific first: Edge, Opera and Samsung Internet also say Chrome and Safari, Chrome
// also says Safari, and Safari's own version is in Version/.
constexpr Browser kBrowsers[] = {
    {"Edge", "Edg/"},
    {"Edge", "EdgA/"},
    {"Edge", "EdgiOS/"},
    {"Opera", "OPR/"},
    {"Samsung Internet", "SamsungBrowser/"},
    {"Firefox", "Firefox/"},
    {"Firefox", "FxiOS/"},
    {"Chrome", "CriOS/"},
    {"Chrome", "Chrome/"},
};

std::string browser(std::string_view header) {
  for (const Browser& b : kBrowsers)
    if (auto version = major_version(header, b.product))
      return std::string(b.name) + (version->empty() ? "" : " " + *version);
  if (major_version(header, "Safari/")) {
    const std::string version = major_version(header, "Version/").value_or("");
    return std::string("Safari") + (version.empty() ? "" : " " + version);
  }
  return {};
}

std::string_view system_of(std::string_view header) {
  if (has(header, "Windows")) return "Windows";
  if (has(header, "iPhone") || has(header, "iPod")) return "iOS";
  if (has(header, "iPad")) return "iPadOS";
  if (has(header, "Android")) return "Android";
  if (has(header, "CrOS")) return "ChromeOS";
  if (has(header, "Macintosh") || has(header, "Mac OS X")) return "macOS";
  if (has(header, "Linux")) return "Linux";
  return {};
}

// "authctl/1.4.0 (buildhost)" -> "authctl on buildhost"; "" when it is not authctl's.
std::string authctl_label(std::string_view header) {
  constexpr std::string_view kProduct = "authctl/";
  if (header.substr(0, kProduct.size()) != kProduct) return {};
  const size_t open = header.find(" (");
  if (open == std::string_view::npos || header.back() != ')' || open + 3 > header.size()) return {};
  const std::string_view host = header.substr(open + 2, header.size() - open - 3);
  return host.empty() ? "authctl" : "authctl on " + std::string(host);
}

}  // namespace

std::string label(std::string_view header) {
  if (std::string own = authctl_label(header); !own.empty()) return own;
  if (header.substr(0, 8) != "Mozilla/") return std::string(header);  // not a browser
  const std::string name = browser(header);
  if (name.empty()) return std::string(header);
  const std::string_view system = system_of(header);
  return system.empty() ? name : name + " on " + std::string(system);
}

std::string client_type_label(std::string_view type) {
  if (type == "connector")
    return "connector (a computer: a command-line or desktop client, such as authctl)";
  if (type == "mobile") return "mobile (the Nexterm app on a phone)";
  if (type == "web") return "web (a browser)";
  return std::string(type);
}

}  // namespace authctl::user_agent
