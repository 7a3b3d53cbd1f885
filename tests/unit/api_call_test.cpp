// backends/api_call: which URLs the token may go to, and the answer as `api` shows it.
#include <doctest/doctest.h>

#include "backends/api_call.hpp"
#include "core/error.hpp"

using namespace authctl;
using namespace authctl::backends;

namespace {

store::Profile profile_of(store::Kind kind) {
  store::Profile profile;
  profile.kind = kind;
  profile.url = "https://broker.example";
  profile.token = "t";
  return profile;
}

net::Response response(long status, const std::string& body,
                       const std::string& type = "application/json") {
  net::Response r;
  r.status = status;
  r.headers = {{"Content-Type", type}};
  r.body = body;
  return r;
}

}  // namespace

TEST_CASE("api_url: a /PATH or a URL of the profile's own origin, nothing else") {
  const store::Profile profile = profile_of(store::Kind::neuron);
  CHECK(api_url(profile, "/Agent/Account/Info") == "https://broker.example/Agent/Account/Info");
  CHECK(api_url(profile, "https://BROKER.example:443/x?y=1") == "https://broker.example/x?y=1");
  CHECK(api_url(profile, "https://broker.example") == "https://broker.example/");
  CHECK_THROWS_AS(api_url(profile, "https://other.example/x"), Error);
  CHECK_THROWS_AS(api_url(profile, "http://broker.example/x"), Error);
  CHECK_THROWS_AS(api_url(profile, "Agent/Account/Info"), Error);
}

TEST_CASE("api_answer: status, body, summary, and headers with their credentials redacted") {
  net::Response r = response(200, "{\"ok\":true}");
  r.headers.emplace_back("Set-Cookie", "HttpSessionID=abc123; Path=/");
  r.headers.emplace_back("X-Request-Id", "42");
  const ApiAnswer answer = api_answer(profile_of(store::Kind::neuron), r);
  CHECK(answer.status == 200);
  CHECK(answer.body == "{\"ok\":true}");
  CHECK(answer.summary == "HTTP 200 application/json");
  REQUIRE(answer.header_lines.size() == 3);
  CHECK(answer.header_lines[0] == "Content-Type: application/json");
  CHECK(answer.header_lines[1].find("abc123") == std::string::npos);
  CHECK(answer.header_lines[2] == "X-Request-Id: 42");
  CHECK(answer.exit_code == 0);
}

TEST_CASE("api_answer: the exit code of each answer") {
  const store::Profile neuron = profile_of(store::Kind::neuron);
  const store::Profile nexterm = profile_of(store::Kind::nexterm);
  CHECK(api_answer(neuron, response(401, "")).exit_code == 4);
  CHECK(api_answer(neuron, response(429, "")).exit_code == 5);
  CHECK(api_answer(neuron, response(404, "", "text/html")).exit_code == 1);
  CHECK(api_answer(neuron, response(204, "")).exit_code == 0);
  // Nexterm's errors inside a 200: an integer "code".
  CHECK(api_answer(nexterm, response(200, "{\"code\":429,\"message\":\"slow\"}")).exit_code == 5);
  CHECK(api_answer(nexterm, response(200, "{\"code\":301,\"message\":\"no\"}")).exit_code == 1);
  CHECK(api_answer(neuron, response(200, "{\"code\":301}")).exit_code == 0);  // Neuron's data
  CHECK(api_answer(nexterm, response(200, "{\"code\":\"ABCD-EFGH\"}")).exit_code == 0);
}
