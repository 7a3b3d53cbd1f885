#include "cli/json_output.hpp"

#include "core/timeutil.hpp"

namespace authctl::cli {

nlohmann::json json_time(const std::optional<int64_t>& t) {
  return t ? nlohmann::json(timeutil::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json profile_json(const std::string& name, const store::Profile& profile) {
  nlohmann::json out = {
      {"profile", name},
      {"kind", profile.kind},
      {"url", profile.url},
      {"user", profile.user},
      {"method", profile.method ? nlohmann::json(store::login_method_name(*profile.method))
                                : nlohmann::json(nullptr)},
      {"expires_at", json_time(profile.expires)},
      {"storage", store::storage_name(profile.storage)}};
  if (profile.enabled) out["enabled"] = *profile.enabled;
  return out;
}

nlohmann::json wait_end_json(WaitEnd end) {
  return {{"event", end == WaitEnd::gave_up ? "gave_up" : "expired"}};
}

}  // namespace authctl::cli
