// core/user_agent: the label sessions list and the kill preview show for a User-Agent.
#include "core/user_agent.hpp"

#include <doctest/doctest.h>

using authctl::user_agent::label;

TEST_CASE("browsers: the browser, its major version and the system") {
  CHECK(label("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
              "Gecko) Chrome/126.0.0.0 Safari/537.36") == "Chrome 126 on macOS");
  CHECK(label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67") == "Edge 125 on Windows");
  CHECK(label("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0") ==
        "Firefox 140 on Linux");
  CHECK(label("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0") == "Firefox 140 on Linux");
  CHECK(label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1") == "Safari 17 on iOS");
  CHECK(label("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
              "like Gecko) Version/17.4 Safari/605.1.15") == "Safari 17 on macOS");
  CHECK(label("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.6478.71 Mobile Safari/537.36") == "Chrome 126 on Android");
  CHECK(label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0") == "Opera 110 on Windows");
  CHECK(label("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
              "Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1") == "Chrome 126 on iPadOS");
  CHECK(label("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36") == "Chrome 126 on ChromeOS");
  // a browser without a system it names, or without digits
  CHECK(label("Mozilla/5.0 Firefox/128.0") == "Firefox 128");
  CHECK(label("Mozilla/5.0 (X11) Chrome/ Safari/1") == "Chrome");
}

TEST_CASE("authctl's own User-Agent: the host it runs on") {
  CHECK(label("authctl/1.4.0 (buildhost)") == "authctl on buildhost");
  CHECK(label("authctl/1.4.0 (ci-runner-7.example.com)") == "authctl on ci-runner-7.example.com");
  CHECK(label("authctl/1.4.0 ()") == "authctl");
  CHECK(label("authctl/1.4.0") == "authctl/1.4.0");  // not the form authctl sends: as it is
  CHECK(label("authctl/1.4.0 (buildhost") == "authctl/1.4.0 (buildhost");
}

TEST_CASE("anything else stays as it is (the caller escapes and cuts it)") {
  CHECK(label("NextermConnector/1.0") == "NextermConnector/1.0");
  CHECK(label("curl/8.1.2") == "curl/8.1.2");
  CHECK(label("old laptop") == "old laptop");
  CHECK(label("") == "");
  CHECK(label("Mozilla/5.0 (compatible; Googlebot/2.1)") ==
        "Mozilla/5.0 (compatible; Googlebot/2.1)");
  // a product inside another word is not that product
  CHECK(label("Mozilla/5.0 NotFirefox/1.0") == "Mozilla/5.0 NotFirefox/1.0");
  // control bytes pass through unchanged here: escaping is the printer's job
  CHECK(label("authctl/1 (\x1b[2Kevil)") == "authctl on \x1b[2Kevil");
}

TEST_CASE("a device code's client type says what it is") {
  using authctl::user_agent::client_type_label;
  CHECK(client_type_label("connector").rfind("connector (a computer: ", 0) == 0);
  CHECK(client_type_label("mobile") == "mobile (the Nexterm app on a phone)");
  CHECK(client_type_label("web") == "web (a browser)");
  CHECK(client_type_label("toaster") == "toaster");
  CHECK(client_type_label("") == "");
}
