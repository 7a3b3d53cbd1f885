#include "core/timeutil.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

#include <nlohmann/json.hpp>

namespace authctl::timeutil {

int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_rfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  std::string s(text);
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  std::string s(text);
  struct tm tm {};
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) return std::nullopt;
  if (*p == '.') {  // fractional seconds: ignored
    ++p;
    if (!isdigit(static_cast<unsigned char>(*p))) return std::nullopt;
    while (isdigit(static_cast<unsigned char>(*p))) ++p;
  }
  int64_t offset = 0;
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = sign * (hh * 3600 + mm * 60);
    p += 6;
  } else {
    return std::nullopt;
  }
  if (*p != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

std::optional<int64_t> parse_time_value(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) return static_cast<int64_t>(value.get<double>());
  if (value.is_string()) return parse_iso8601(value.get<std::string>());
  return std::nullopt;
}

std::optional<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool bare = true;
  for (char c : text) bare = bare && isdigit(static_cast<unsigned char>(c));
  int64_t total = 0;
  const int64_t limit = std::numeric_limits<int32_t>::max();
  if (bare) {
    if (text.size() > 9) return std::nullopt;
    return std::stoll(std::string(text));
  }
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 9 || i == text.size()) return std::nullopt;
    int64_t value = std::stoll(std::string(text.substr(start, i - start)));
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += value * unit;
    if (total > limit) return std::nullopt;
  }
  return total;
}

std::string format_duration(int64_t seconds) {
  if (seconds < 0) seconds = -seconds;
  char buf[48];
  if (seconds < 60) {
    snprintf(buf, sizeof buf, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(seconds / 60));
  } else if (seconds < 86400) {
    long long h = seconds / 3600, m = (seconds % 3600) / 60;
    if (m)
      snprintf(buf, sizeof buf, "%lldh %lldm", h, m);
    else
      snprintf(buf, sizeof buf, "%lldh", h);
  } else {
    long long d = seconds / 86400, h = (seconds % 86400) / 3600;
    if (h)
      snprintf(buf, sizeof buf, "%lldd %lldh", d, h);
    else
      snprintf(buf, sizeof buf, "%lldd", d);
  }
  return buf;
}

std::string format_relative(int64_t when, int64_t now) {
  if (when == now) return "now";
  if (when >= now) return "in " + format_duration(when - now);
  return format_duration(now - when) + " ago";
}

}  // namespace authctl::timeutil
