// backends/decoders: the passkey creation and request options a hostile server may send,
// checked before anything is signed: missing members (a server too old for passkeys), wrong
// types, empty values, a challenge outside base64url, an rp.id for another site.
#include <doctest/doctest.h>

#include <string>

#include "backends/decoders.hpp"
#include "core/error.hpp"

using namespace authctl;
using namespace authctl::backends;

namespace {

const std::string kAuthority = "nexterm.example:8443";
const std::string kHost = "nexterm.example";
const std::string kChallenge = "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo";  // the spec's

nlohmann::json creation(const nlohmann::json& rp_id, const nlohmann::json& challenge) {
  return {{"challenge", challenge},
          {"rp", {{"name", "Nexterm"}, {"id", rp_id}}},
          {"user", {{"id", "MQ"}, {"name", "alice"}}}};
}

// The Reason of the Error that decoding `doc` as creation options throws (none: no error).
Reason creation_refusal(const nlohmann::json& doc) {
  try {
    decode::passkey_creation_options(doc, kAuthority, kHost);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::error);
    CHECK(e.hint().empty());  // backends give a Reason, never a hint
    return e.reason();
  }
  return Reason::none;
}

Reason request_refusal(const nlohmann::json& doc) {
  try {
    decode::passkey_request_options(doc, kAuthority);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::error);
    CHECK(e.hint().empty());
    return e.reason();
  }
  return Reason::none;
}

}  // namespace

TEST_CASE("passkey_creation_options: rp.id and the challenge as sent") {
  const auto options =
      decode::passkey_creation_options(creation(kHost, kChallenge), kAuthority, kHost);
  CHECK(options.rp_id == kHost);
  CHECK(options.challenge == kChallenge);
}

TEST_CASE("passkey_creation_options: without challenge or rp.id the server is too old") {
  CHECK(creation_refusal(nlohmann::json::object()) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal(nlohmann::json::array()) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal(nullptr) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal({{"challenge", kChallenge}}) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal({{"challenge", kChallenge}, {"rp", "nexterm.example"}}) ==
        Reason::too_old_for_passkeys);
  CHECK(creation_refusal({{"rp", {{"id", kHost}}}}) == Reason::too_old_for_passkeys);
  // Wrong types count as missing.
  CHECK(creation_refusal(creation(kHost, 42)) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal(creation(nullptr, kChallenge)) == Reason::too_old_for_passkeys);
  CHECK(creation_refusal(creation(nlohmann::json::array({kHost}), kChallenge)) ==
        Reason::too_old_for_passkeys);
}

TEST_CASE("passkey_creation_options: an rp.id other than this server's host is refused") {
  CHECK(creation_refusal(creation("evil.example", kChallenge)) == Reason::passkey_rp_mismatch);
  CHECK(creation_refusal(creation("", kChallenge)) == Reason::passkey_rp_mismatch);
  CHECK(creation_refusal(creation("NEXTERM.example", kChallenge)) == Reason::passkey_rp_mismatch);
  CHECK(creation_refusal(creation(kAuthority, kChallenge)) == Reason::passkey_rp_mismatch);
  try {
    decode::passkey_creation_options(creation("evil\x1b]0;x\x07", kChallenge), kAuthority, kHost);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find('\x1b') == std::string::npos);  // the server's text, escaped
  }
}

TEST_CASE("passkey_creation_options: an empty or non-base64url challenge is misbehaving") {
  CHECK(creation_refusal(creation(kHost, "")) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, kChallenge + "=")) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, "abc+/def")) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, "ab\"cd")) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, "ab\r\ncd")) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, std::string(1025, 'a'))) == Reason::misbehaving);
  CHECK(creation_refusal(creation(kHost, std::string(1024, 'a'))) == Reason::none);
  CHECK(creation_refusal(creation(kHost, "a-_Z09")) == Reason::none);
}

TEST_CASE("passkey_request_options: rpId and the challenge as sent") {
  const auto options = decode::passkey_request_options(
      {{"rpId", "127.0.0.1"}, {"challenge", kChallenge}, {"timeout", 60000}}, kAuthority);
  CHECK(options.rp_id == "127.0.0.1");
  CHECK(options.challenge == kChallenge);
  // rpId is not checked against the host here: the caller compares it with its key file's.
  CHECK(decode::passkey_request_options({{"rpId", "evil.example"}, {"challenge", kChallenge}},
                                        kAuthority)
            .rp_id == "evil.example");
}

TEST_CASE("passkey_request_options: missing, mistyped or empty members are refused") {
  CHECK(request_refusal(nlohmann::json::object()) == Reason::too_old_for_passkeys);
  CHECK(request_refusal("options") == Reason::too_old_for_passkeys);
  CHECK(request_refusal({{"rpId", "127.0.0.1"}}) == Reason::too_old_for_passkeys);
  CHECK(request_refusal({{"challenge", kChallenge}}) == Reason::too_old_for_passkeys);
  CHECK(request_refusal({{"rpId", 1}, {"challenge", kChallenge}}) == Reason::too_old_for_passkeys);
  CHECK(request_refusal({{"rpId", "127.0.0.1"}, {"challenge", nullptr}}) ==
        Reason::too_old_for_passkeys);
  CHECK(request_refusal({{"rpId", ""}, {"challenge", kChallenge}}) == Reason::misbehaving);
  CHECK(request_refusal({{"rpId", "127.0.0.1"}, {"challenge", ""}}) == Reason::misbehaving);
  CHECK(request_refusal({{"rpId", "127.0.0.1"}, {"challenge", "a b"}}) == Reason::misbehaving);
}
