#include "core/cookie.hpp"

#include <cctype>
#include <sstream>
#include <vector>

namespace authctl::cookie {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool token_char(char c) {
  return c > 0x20 && c < 0x7f && c != ';' && c != ',' && c != '"' && c != '\\';
}

// What validate::is_cookie_value accepts unquoted (no '=' either, so that "a=b" is not
// taken for a bare value): the value goes into a Cookie header as it is.
bool plausible_value(const std::string& v) {
  if (v.empty() || v.size() > 4096) return false;
  for (char c : v)
    if (!token_char(c) || c == '=') return false;
  return true;
}

// "a=b; HttpSessionID=v; c=d" -> v
std::optional<std::string> from_pairs(const std::string& line) {
  std::stringstream ss(line);
  for (std::string pair; std::getline(ss, pair, ';');) {
    pair = trim(pair);
    auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == "HttpSessionID") {
      std::string value = trim(pair.substr(eq + 1));
      if (plausible_value(value)) return value;
    }
  }
  return std::nullopt;
}

// cookies.txt domain matching (the Netscape format curl and browsers export): a domain
// with a leading dot or the include-subdomains flag TRUE covers itself and every host
// within it; any other domain only that exact host. Case-insensitive; ports play no part.
bool domain_matches(std::string domain, const std::string& flag, std::string host) {
  auto lower = [](std::string& s) {
    for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  };
  lower(domain);
  lower(host);
  const bool subdomains = (!domain.empty() && domain[0] == '.') || flag == "TRUE";
  if (!domain.empty() && domain[0] == '.') domain.erase(0, 1);
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']')  // IPv6 literal
    domain = domain.substr(1, domain.size() - 2);
  if (domain.empty() || host.empty()) return false;
  if (host == domain) return true;
  return subdomains && host.size() > domain.size() &&
         host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
         host[host.size() - domain.size() - 1] == '.';
}

// One cookies.txt row: its HttpSessionID value when the row is one for `host`.
std::optional<std::string> from_row(const std::string& row, const std::string& host) {
  std::vector<std::string> fields;
  std::stringstream ss(row);
  for (std::string f; std::getline(ss, f, '\t');) fields.push_back(f);
  if (fields.size() != 7 || fields[5] != "HttpSessionID" || !plausible_value(fields[6]))
    return std::nullopt;
  if (!domain_matches(fields[0], fields[1], host)) return std::nullopt;
  return fields[6];
}

}  // namespace

std::optional<std::string> http_session_id(std::string_view input, std::string_view host) {
  std::string text = trim(std::string(input));
  if (text.empty()) return std::nullopt;
  std::stringstream lines(text);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(trim(line));
  for (const auto& line : all) {
    // cookies.txt: domain, flag, path, secure, expiry, name, value (tab-separated); the
    // "#HttpOnly_" prefix marks HttpOnly cookies and is not a comment. Only the --host's
    // own cookie counts: an export holds every site's sessions.
    std::string row = line.rfind("#HttpOnly_", 0) == 0 ? line.substr(10) : line;
    if (row.find('\t') != std::string::npos && row[0] != '#') {
      if (auto v = from_row(row, std::string(host))) return v;
      continue;
    }
    for (const char* prefix : {"Cookie:", "Set-Cookie:", "cookie:", "set-cookie:"}) {
      if (line.rfind(prefix, 0) == 0) {
        if (auto v = from_pairs(line.substr(std::string(prefix).size()))) return v;
      }
    }
    if (line.find("HttpSessionID=") != std::string::npos)
      if (auto v = from_pairs(line)) return v;
  }
  if (all.size() == 1 && plausible_value(all[0])) return all[0];  // the bare value
  return std::nullopt;
}

}  // namespace authctl::cookie
