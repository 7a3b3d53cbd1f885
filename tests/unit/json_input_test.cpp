#include <doctest/doctest.h>

#include <string>

#include "core/json_input.hpp"

using authctl::json_input::parse;
using authctl::json_input::Problem;
using authctl::json_input::within_depth;

namespace {
std::string nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
}  // namespace

TEST_CASE("documents up to 64 levels deep parse") {
  auto parsed = parse(nested(64));
  REQUIRE(parsed.ok());
  CHECK(parsed.value.is_array());
  CHECK(parse(R"({"a":{"b":[1,2,{"c":"d"}]}})").value["a"]["b"][2]["c"] == "d");
}

TEST_CASE("deeper documents are refused before parsing") {
  CHECK(parse(nested(65)).problem == Problem::too_deep);
  CHECK(parse(nested(100000)).problem == Problem::too_deep);  // 200 kB: would crash a dump
  CHECK(parse(std::string(100000, '{')).problem == Problem::too_deep);
  CHECK(parse(nested(100000)).value.is_discarded());
}

TEST_CASE("brackets inside strings do not count") {
  const std::string deep_string = "\"" + std::string(1000, '[') + "\"";
  CHECK(within_depth(deep_string));
  CHECK(within_depth(R"(["\"[[[[", "\\", "]"])", 1));
  CHECK_FALSE(within_depth("[[\"x\"]]", 1));
}

TEST_CASE("malformed JSON is reported with its byte, never thrown") {
  auto parsed = parse("{\"a\": ");
  CHECK(parsed.problem == Problem::malformed);
  CHECK(parsed.byte > 0);
  CHECK(parse("").problem == Problem::malformed);
  CHECK(parse("]]]]").problem == Problem::malformed);
}
