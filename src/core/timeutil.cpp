#include "core/timeutil.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include <nlohmann/json.hpp>

namespace authctl::timeutil {

namespace {
int64_t g_test_skew = 0;
}  // namespace

int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         g_test_skew;
}

void set_test_skew(int64_t seconds) {
  g_test_skew = seconds;
}

std::string format_rfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  // Not strftime's %Y: glibc writes year 999 as "999", which is no RFC 3339 (and does not
  // parse back). Four digits, zero-padded, for every year parse_iso8601 can read.
  char buf[64];
  snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900LL, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  std::string s(text);
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const int64_t when = static_cast<int64_t>(timegm(&tm));
  if (!in_server_range(when)) return std::nullopt;  // a server clock, so a server time
  return when;
}

namespace {

// Exactly `n` ASCII digits at text[pos], as a number; advances pos. Never reads past the end.
std::optional<int> digits(std::string_view text, size_t& pos, size_t n) {
  if (text.size() < pos + n) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool take(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to YEAR-MONTH-DAY (proleptic Gregorian; Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "Z", "+HH:MM" or "-HH:MM" at text[pos] (the whole rest): the offset in seconds.
std::optional<int64_t> zone_offset(std::string_view text, size_t pos) {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) return 0;
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  auto hh = digits(text, pos, 2);
  if (!hh || !take(text, pos, ':')) return std::nullopt;
  auto mm = digits(text, pos, 2);
  if (!mm || pos != text.size() || *hh > 23 || *mm > 59) return std::nullopt;
  return sign * (*hh * 3600 + *mm * 60);
}

}  // namespace

bool in_server_range(int64_t unix_seconds) {
  return unix_seconds >= kEarliestServerTime && unix_seconds <= kLatestServerTime;
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), read by index with bounds checks.
  size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || !take(text, pos, '-')) return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || !take(text, pos, '-')) return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || !(take(text, pos, 'T') || take(text, pos, 't'))) return std::nullopt;
  auto hour = digits(text, pos, 2);
  if (!hour || !take(text, pos, ':')) return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute || !take(text, pos, ':')) return std::nullopt;
  auto second = digits(text, pos, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 60)
    return std::nullopt;
  if (take(text, pos, '.')) {  // fractional seconds: ignored
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  auto offset = zone_offset(text, pos);
  if (!offset) return std::nullopt;
  return days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second -
         *offset;
}

std::optional<int64_t> parse_time_value(const nlohmann::json& value) {
  // Range-checked before any cast: a double such as 1e90 does not fit an int64_t.
  std::optional<int64_t> when;
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(kLatestServerTime)) when = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    when = value.get<int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d >= static_cast<double>(kEarliestServerTime) &&
        d <= static_cast<double>(kLatestServerTime))
      when = static_cast<int64_t>(d);
  } else if (value.is_string()) {
    when = parse_iso8601(value.get_ref<const std::string&>());
  }
  if (!when || !in_server_range(*when)) return std::nullopt;
  return when;
}

namespace {
// At most 9 digits, as a number (so no overflow); nullopt for anything else.
std::optional<int64_t> small_number(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}
}  // namespace

std::optional<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool bare = true;
  for (char c : text) bare = bare && isdigit(static_cast<unsigned char>(c));
  int64_t total = 0;
  const int64_t limit = std::numeric_limits<int32_t>::max();
  if (bare) return small_number(text);
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i == text.size()) return std::nullopt;
    auto value = small_number(text.substr(start, i - start));
    if (!value) return std::nullopt;
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
    total += *value * unit;
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
