#include "cli/quick_login_link.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/text.hpp"

namespace authctl::cli {

bool same_domain(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void check_sign_url(const std::string& sign_url, const std::string& domain,
                    const std::string& authority) {
  const std::string prefix = "tagsign:";
  const size_t comma = sign_url.find(',');
  const bool form = sign_url.rfind(prefix, 0) == 0 && comma != std::string::npos &&
                    comma + 1 < sign_url.size() && !text::needs_escaping(sign_url) &&
                    sign_url.find(' ') == std::string::npos;
  if (!form)
    throw Error(ExitCode::error,
                authority + " sent an unexpected answer: the Quick Login link '" +
                    text::printable(sign_url) + "' is not tagsign:DOMAIN,KEY",
                "the server is misbehaving; check --host");
  const std::string named = sign_url.substr(prefix.size(), comma - prefix.size());
  if (!same_domain(named, domain))
    throw Error(ExitCode::error,
                authority + " sent an unexpected answer: its Quick Login link is for " + named +
                    ", not for " + domain,
                "signing it would log you in elsewhere; check --host (nothing was shown)");
}

std::string sign_url_key(const std::string& sign_url) {
  const size_t comma = sign_url.find(',');
  return comma == std::string::npos ? sign_url : sign_url.substr(comma + 1);
}

}  // namespace authctl::cli
