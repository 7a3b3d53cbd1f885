// backends: what verify-jwt and send-message exchange with a Neuron: AuthenticateJwt's
// answer decoded into a VerifiedToken (the server's texts kept as they are, for escaping
// when shown), and SendTextMessage's request body.
#include <doctest/doctest.h>

#include <string>

#include "backends/decoders.hpp"
#include "backends/neuron.hpp"
#include "core/error.hpp"

using namespace authctl;
using namespace authctl::backends;

namespace {

const std::string kAuthority = "neuron.example";

}  // namespace

TEST_CASE("verified_token: the broker's answer") {
  const auto doc = nlohmann::json::parse(R"({"header": "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
      "payload": "{\"sub\":\"alice\"}", "signature": "s",
      "algorithm": "HS256", "claims": {"sub": "alice", "iss": "https://neuron.example",
      "exp": 1800000000, "jti": 7}, "type": "JWT", "issuer": "https://neuron.example",
      "subject": "alice", "id": 7, "expiration": 1800000000})");
  const VerifiedToken token = decode::verified_token(doc, kAuthority);
  CHECK(token.algorithm == "HS256");
  CHECK(token.issuer == "https://neuron.example");
  CHECK(token.subject == "alice");
  REQUIRE(token.expires);
  CHECK(*token.expires == 1800000000);
  REQUIRE(token.claims);
  REQUIRE(token.claims->size() == 4);
  // In the key order of the object; non-strings as their JSON.
  CHECK(token.claims->at(0).name == "exp");
  CHECK(token.claims->at(0).text == "1800000000");
  CHECK(token.claims->at(2).name == "jti");
  CHECK(token.claims->at(2).text == "7");
  CHECK(token.claims->at(3).text == "alice");
  // --json passes the answer on, its header and payload texts as the objects they hold.
  nlohmann::json expected = doc;
  expected["header"] = {{"alg", "HS256"}, {"typ", "JWT"}};
  expected["payload"] = {{"sub", "alice"}};
  CHECK(token.server == expected);
}

TEST_CASE("verified_token: a header or payload that is no JSON object stays the text it was") {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const auto doc = nlohmann::json{{"header", "not json"}, {"payload", deep}, {"claims", 5}};
  const VerifiedToken token = decode::verified_token(doc, kAuthority);
  CHECK(token.server["header"] == "not json");
  CHECK(token.server["payload"] == deep);  // deeper than 64: never parsed
  CHECK(token.server["claims"] == 5);
  const auto array = nlohmann::json{{"header", "[1,2]"}};
  CHECK(decode::verified_token(array, kAuthority).server["header"] == "[1,2]");
}

TEST_CASE("verified_token: absent members are nullopt, other types shown as JSON") {
  const VerifiedToken empty = decode::verified_token(nlohmann::json::object(), kAuthority);
  CHECK(!empty.algorithm);
  CHECK(!empty.issuer);
  CHECK(!empty.subject);
  CHECK(!empty.expires);
  CHECK(!empty.claims);

  const auto odd = nlohmann::json::parse(R"({"algorithm": null, "issuer": ["a", 1],
      "subject": {"x": true}, "expiration": "soon", "claims": []})");
  const VerifiedToken token = decode::verified_token(odd, kAuthority);
  CHECK(token.algorithm == "null");
  CHECK(token.issuer == R"(["a",1])");
  CHECK(token.subject == R"({"x":true})");
  CHECK(!token.expires);  // not a time: left out
  CHECK(!token.claims);   // not an object
}

TEST_CASE("verified_token: an empty claims object, an ISO expiration, hostile text kept") {
  const auto doc = nlohmann::json::parse(
      R"({"claims": {}, "expiration": "2027-01-15T08:00:00Z", "subject": "al\u001b[2Jice"})");
  const VerifiedToken token = decode::verified_token(doc, kAuthority);
  REQUIRE(token.claims);
  CHECK(token.claims->empty());
  CHECK(token.expires == 1800000000);
  CHECK(token.subject == "al\x1b[2Jice");  // escaped where it is shown, not here
  CHECK(!decode::verified_token({{"expiration", 99999999999999}}, kAuthority).expires);
}

TEST_CASE("verified_token: a non-object answer is misbehaving") {
  for (const auto& doc :
       {nlohmann::json::array(), nlohmann::json("valid"), nlohmann::json(), nlohmann::json(1)}) {
    try {
      decode::verified_token(doc, kAuthority);
      FAIL("no error for " << doc.dump());
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::error);
      CHECK(e.reason() == Reason::misbehaving);
      CHECK(e.facts().subject == kAuthority);
    }
  }
}

TEST_CASE("text_message_body: to and message always; subject and language when given") {
  CHECK(text_message_body(TextMessage{"bob@localhost", "hello", "", ""}) ==
        nlohmann::json{{"to", "bob@localhost"}, {"message", "hello"}});
  CHECK(text_message_body(TextMessage{"bob@localhost/phone", "hi", "Re: x", "en"}) ==
        nlohmann::json{{"to", "bob@localhost/phone"},
                       {"message", "hi"},
                       {"subject", "Re: x"},
                       {"language", "en"}});
  CHECK(text_message_body(TextMessage{"b@x", "t", "", "sv"}) ==
        nlohmann::json{{"to", "b@x"}, {"message", "t"}, {"language", "sv"}});
}
