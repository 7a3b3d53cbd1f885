// libFuzzer harness: the Nexterm answer decoders (backends/decoders, and soft_error): the
// input is a body, parsed as the client parses one and fed to each decoder. A hostile body
// gives a result or a malformed answer (authctl::Error), never a crash or an nlohmann
// exception; tokens keep their alphabets and times their range.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/answer.hpp"
#include "backends/decoders.hpp"
#include "backends/nexterm.hpp"
#include "backends/session_client.hpp"
#include "core/error.hpp"
#include "core/timeutil.hpp"
#include "core/validate.hpp"

namespace be = authctl::backends;
namespace decode = authctl::backends::decode;
namespace tu = authctl::timeutil;
namespace validate = authctl::validate;

namespace {

const std::string kAuthority = "nexterm.example";

template <typename F>
void rejected_or(F&& decoder) {
  try {
    decoder();
  } catch (const authctl::Error&) {
  }
}

void need(bool holds) {
  if (!holds) abort();
}

bool optional_time_ok(const std::optional<int64_t>& when) {
  return !when || tu::in_server_range(*when);
}

void soft_errors(const std::string& body) {
  for (long status : {200L, 400L}) {
    authctl::net::Response r;
    r.status = status;
    r.url = "https://" + kAuthority + "/api/auth/login";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    rejected_or([&] {
      if (auto soft = be::soft_error(r)) need(soft->code >= 0 && soft->code <= 999);
    });
  }
}

void lists(const nlohmann::json& doc) {
  rejected_or([&] {
    for (const auto& s : decode::sessions(doc, kAuthority))
      need(tu::in_server_range(s.last_activity));
  });
  rejected_or([&] {
    const auto keys = decode::api_keys(doc, kAuthority);
    for (size_t i = 0; i < keys.size(); ++i) {
      const auto& k = keys[i];
      need(optional_time_ok(k.expires_at) && optional_time_ok(k.created_at) &&
           optional_time_ok(k.last_used_at));
      // the prefix is the server's text, less at most its display ellipsis: never more
      if (doc.is_array() && i < doc.size() && doc[i].is_object() && doc[i].contains("prefix") &&
          doc[i]["prefix"].is_string())
        need(doc[i]["prefix"].get<std::string>().rfind(k.prefix, 0) == 0);
    }
  });
  rejected_or([&] {
    for (const auto& p : decode::passkeys(doc, kAuthority)) need(optional_time_ok(p.created_at));
  });
}

void objects(const nlohmann::json& doc) {
  rejected_or([&] {
    need(validate::is_session_token(decode::session_token(doc, "of the login answer", kAuthority)));
  });
  rejected_or([&] {
    const std::string user = decode::nexterm_user_name(doc, kAuthority);
    need(user.empty() || validate::is_user_name(user));
  });
  rejected_or([&] {
    const be::DeviceCode code = decode::device_code(doc, 0, kAuthority);
    need(code.poll_token.size() == 64 && code.code.size() == 9 &&
         tu::in_server_range(code.expires_at));
  });
  rejected_or([&] {
    const decode::DevicePoll poll = decode::device_poll(doc, kAuthority);
    need(poll.status != "authorized" || validate::is_session_token(poll.token));
  });
  rejected_or([&] {
    const be::DeviceInfo info = decode::device_info(doc, kAuthority);
    need(info.expires_at == 0 || tu::in_server_range(info.expires_at));
  });
  rejected_or([&] { need(validate::is_api_key(decode::new_api_key(doc, kAuthority).token)); });
  rejected_or(
      [&] { need(validate::is_session_token(decode::passkey_login_token(doc, kAuthority))); });
  decode::nexterm_version(doc);
  need(be::nexterm_account_fields(doc).size() <= 11);  // whoami's lines: a fixed set of keys
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  soft_errors(input);
  std::optional<nlohmann::json> doc;
  rejected_or([&] { doc = be::answer::parse_text(input, kAuthority); });
  if (!doc) return 0;
  lists(*doc);
  objects(*doc);
  return 0;
}
