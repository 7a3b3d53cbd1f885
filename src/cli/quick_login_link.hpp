// The link of a Quick Login code (login --qr), tagsign:DOMAIN,KEY: checked before it is
// shown, since signing a link for another domain would log the user in elsewhere. Pure:
// tests/unit/quick_login_test.cpp.
#pragma once

#include <string>
#include <string_view>

namespace authctl::cli {

// Whether two domain names are the same (ASCII, case-insensitive).
bool same_domain(std::string_view a, std::string_view b);

// Refuses (exit 1, before anything is shown) a signUrl that is not tagsign:DOMAIN,KEY for
// `domain`, or that holds anything a terminal or QR reader could misread. `authority`: the
// server that sent it, for the message.
void check_sign_url(const std::string& sign_url, const std::string& domain,
                    const std::string& authority);

// The KEY of tagsign:DOMAIN,KEY (the whole link when it has no comma): the code the app
// signs, as --json shows it.
std::string sign_url_key(const std::string& sign_url);

}  // namespace authctl::cli
