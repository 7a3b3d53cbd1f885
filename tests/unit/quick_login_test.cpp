// Quick Login (login --qr): the decoders of the signature event and of DomainInfo's domain
// (backends/decoders), and the check of the tagsign: link (cli/quick_login_link).
#include <doctest/doctest.h>

#include <string>

#include "backends/decoders.hpp"
#include "cli/quick_login_link.hpp"
#include "core/error.hpp"

using namespace authctl;
using nlohmann::json;

namespace {

const std::string kAuthority = "neuron.example:8443";
const std::string kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

}  // namespace

TEST_CASE("quick_login_signature: the AgentApiToken when the event carries a JWT") {
  const auto given = backends::decode::quick_login_signature(
      json{{"Domain", "neuron.example"}, {"AgentApiToken", kJwt}}, kAuthority);
  REQUIRE(given.agent_api_token);
  CHECK(*given.agent_api_token == kJwt);
}

TEST_CASE("quick_login_signature: no token when absent, null, empty or the data no object") {
  for (const json& data :
       {json::object(), json{{"AgentApiToken", nullptr}}, json{{"AgentApiToken", ""}},
        json{{"Domain", "x"}}, json("text"), json(), json::array({kJwt})}) {
    CAPTURE(data.dump());
    CHECK(!backends::decode::quick_login_signature(data, kAuthority).agent_api_token);
  }
}

TEST_CASE("quick_login_signature: a token that is no JWT, or no string, is refused") {
  for (const json& token : {json("a.b.c\r\nX-Evil: 1"), json("not a jwt"), json(12),
                            json::array({kJwt}), json{{"jwt", kJwt}}}) {
    CAPTURE(token.dump());
    try {
      backends::decode::quick_login_signature(json{{"AgentApiToken", token}}, kAuthority);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::error);
      CHECK(e.reason() == Reason::misbehaving);
      CHECK(std::string(e.what()).find("AgentApiToken") != std::string::npos);
      CHECK(std::string(e.what()).find(kAuthority) != std::string::npos);
    }
  }
}

TEST_CASE("neuron_domain: DomainInfo's domain, \"\" when it names none") {
  CHECK(backends::decode::neuron_domain(json{{"domain", "lab.tagroot.io"}, {"useEncryption", true}},
                                        kAuthority) == "lab.tagroot.io");
  CHECK(backends::decode::neuron_domain(json{{"useEncryption", false}}, kAuthority).empty());
  CHECK(backends::decode::neuron_domain(json{{"domain", nullptr}}, kAuthority).empty());
  CHECK(backends::decode::neuron_domain(json(), kAuthority).empty());  // not a Neuron
}

TEST_CASE("neuron_domain: anything but a domain name is refused") {
  for (const json& domain : {json("evil\r\n.example"), json("a b"), json("tagsign:x,y"),
                             json(std::string(254, 'a')), json(7), json::array()}) {
    CAPTURE(domain.dump());
    CHECK_THROWS_AS(backends::decode::neuron_domain(json{{"domain", domain}}, kAuthority), Error);
  }
}

TEST_CASE("same_domain: ASCII letters in any case, nothing else") {
  CHECK(cli::same_domain("Lab.TagRoot.io", "lab.tagroot.io"));
  CHECK(!cli::same_domain("lab.tagroot.io", "lab.tagroot.io."));
  CHECK(!cli::same_domain("a.example", "b.example"));
  CHECK(cli::same_domain("", ""));
}

TEST_CASE("check_sign_url: tagsign:DOMAIN,KEY for this domain only") {
  CHECK_NOTHROW(cli::check_sign_url("tagsign:localhost,0123456789", "localhost", kAuthority));
  CHECK_NOTHROW(cli::check_sign_url("tagsign:LocalHost,0123456789", "localhost", kAuthority));
  for (const char* link :
       {"https://localhost,0123", "tagsign:localhost", "tagsign:localhost,",
        "tagsign:localhost,01 23", "tagsign:localhost,01\x1b[2J", "tagsign:localhost,01\r\n"}) {
    CAPTURE(link);
    try {
      cli::check_sign_url(link, "localhost", kAuthority);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::error);
      CHECK(std::string(e.what()).find("is not tagsign:DOMAIN,KEY") != std::string::npos);
      CHECK(e.hint() == "the server is misbehaving; check --host");
    }
  }
  try {
    cli::check_sign_url("tagsign:127.0.0.1,0123456789", "localhost", kAuthority);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::error);
    CHECK(std::string(e.what()) == kAuthority +
                                       " sent an unexpected answer: its Quick Login link is "
                                       "for 127.0.0.1, not for localhost");
    CHECK(e.hint().find("log you in elsewhere") != std::string::npos);
  }
}

TEST_CASE("sign_url_key: the KEY of tagsign:DOMAIN,KEY") {
  CHECK(cli::sign_url_key("tagsign:localhost,0123456789") == "0123456789");
  CHECK(cli::sign_url_key("tagsign:localhost") == "tagsign:localhost");
}
