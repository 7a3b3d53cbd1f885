// What the waiting commands draw on a real terminal (issue 12, point 6): the spinner line
// with what matters first, cut to the width; the QR code only when all of it can be seen,
// drawn when a resize makes room; a resize that leaves no piece of the old line behind;
// and the words around a device code.
#include <csignal>
#include <regex>

#include "fixture.hpp"
#include "nexterm_fixture.hpp"
#include "pty_session.hpp"

using namespace e2e;

namespace {

constexpr const char* kHalfBlock = "\u2584";  // in every half-block QR code

// The spinner lines drawn from `from` on: each redraw is "\r" [cursor moves] frame status
// "\x1b[K"; returned without the escapes, as the terminal shows them.
std::vector<std::string> spinner_lines(const std::string& screen, size_t from) {
  static const std::regex escape("\x1b\\[[0-9;]*[A-Za-z]");
  std::vector<std::string> lines;
  for (size_t at = screen.find('\r', from); at != std::string::npos;
       at = screen.find('\r', at + 1)) {
    const size_t end = screen.find("\x1b[K", at);
    if (end == std::string::npos) break;
    const std::string line = std::regex_replace(screen.substr(at + 1, end - at - 1), escape, "");
    if (!line.empty() && line.find('\n') == std::string::npos) lines.push_back(line);
  }
  return lines;
}

size_t columns_of(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string code_on(const std::string& screen) {
  const size_t at = screen.find("approve code ");
  return at == std::string::npos ? std::string() : screen.substr(at + 13, 9);
}

}  // namespace

TEST_CASE(
    "device-link on a terminal: the code first on the spinner line, the other way to "
    "approve, and a narrower terminal redrawn without leftovers") {
  NextermFixture f;
  PtySession pty({"device-link", "--host", f.broker.url(), "--interval", "1s"}, f.env, 100, 50);
  REQUIRE(pty.read_until(" left \u00b7 Ctrl-C to stop"));
  const std::string code = code_on(pty.screen());
  REQUIRE(code.size() == 9);
  CHECK(contains(pty.screen(), "or run `authctl device-link approve " + code +
                                   "` on a machine that is logged in"));
  CHECK(contains(pty.screen(), kHalfBlock));  // 100x50 has room for the QR code
  const auto wide = spinner_lines(pty.screen(), 0);
  REQUIRE(!wide.empty());
  CHECK(wide.back().find(code + " \u00b7 ") == wide.back().find(' ') + 1);  // after the frame

  const size_t before = pty.screen().size();
  pty.resize(24, 50);  // the line (about 45 columns) no longer fits
  pty.read_for(std::chrono::milliseconds(1200));
  const std::string after = pty.screen().substr(before);
  CHECK(contains(after, "\x1b[1A\x1b[J"));  // up over the reflowed piece, erase below
  const auto narrow = spinner_lines(pty.screen(), before);
  REQUIRE(!narrow.empty());
  for (const auto& line : narrow) CHECK_MESSAGE(columns_of(line) <= 23, line);
  CHECK(narrow.back().find(code) == narrow.back().find(' ') + 1);  // cut from the end

  pty.type("\x03");
  CHECK(pty.wait() == 130);
}

TEST_CASE(
    "device-link: a terminal too short for the QR code gets the link and a note, then "
    "the code once a resize makes room") {
  NextermFixture f;
  PtySession pty({"device-link", "--host", f.broker.url(), "--interval", "1s"}, f.env, 100, 12);
  REQUIRE(pty.read_until("Ctrl-C to stop"));
  CHECK(contains(pty.screen(), "too small for the QR code"));
  CHECK(contains(pty.screen(), "or use the link above"));
  CHECK(contains(pty.screen(), "/link?code="));  // the link is there
  CHECK(!contains(pty.screen(), kHalfBlock));    // a code that scrolls away is not drawn
  const size_t before = pty.screen().size();
  pty.resize(100, 50);
  REQUIRE(pty.read_until(kHalfBlock, before));
  CHECK(pty.screen().find("too small", before) == std::string::npos);
  REQUIRE(!f.broker.device_approve(code_on(pty.screen()), kAdmin).empty());
  CHECK(pty.wait() == 0);
  CHECK(contains(pty.screen(), "Logged in to"));
}

TEST_CASE("device-link phone on a small terminal says to enlarge it, never shows the link") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  PtySession pty({"device-link", "phone", "--interval", "1s"}, f.env, 30, 40);
  REQUIRE(pty.read_until(" left"));  // 30 columns: the line is cut before "Ctrl-C to stop"
  CHECK(contains(pty.screen(), "too small for the QR code"));
  CHECK(contains(pty.screen(), "enlarge it to have it drawn"));
  CHECK(!contains(pty.screen(), "use the link"));
  CHECK(!contains(pty.screen(), "nexterm://"));  // the link carries the poll token
  CHECK(!contains(pty.screen(), kHalfBlock));
  const size_t before = pty.screen().size();
  pty.resize(120, 60);
  REQUIRE(pty.read_until(kHalfBlock, before));
  pty.type("\x03");
  CHECK(pty.wait() == 130);
  CHECK(!contains(pty.screen(), "nexterm://"));
}

TEST_CASE(
    "device-link --host on a Neuron points to login --qr; approval says what a "
    "connector is") {
  NeuronFixture neuron;
  auto r = neuron.run({"device-link", "--host", neuron.broker.url(), "--show-qr", "never"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "has no device codes"));
  CHECK(contains(r.err,
                 "device codes need a Nexterm; for a Neuron, log in with authctl login "
                 "--qr --host " +
                     neuron.broker.url()));
  auto device = neuron.run({"login", "--device", "--host", neuron.broker.url(), "--kind", "nexterm",
                            "--show-qr", "never"});
  CHECK(device.exit_code == 1);
  CHECK(contains(device.err, "authctl login --qr --host"));

  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  Process waiting(f.invocation(
      {"device-link", "--host", f.broker.url(), "-p", "box", "--json", "--interval", "1s"}));
  const std::string line = waiting.next_line();
  const std::string code = nlohmann::json::parse(line)["code"];
  auto approve =
      f.run({"device-link", "approve", code, "--yes", "-p", std::string(kAdmin) + "@" + f.host()});
  CHECK(approve.exit_code == 0);
  CHECK(contains(approve.err,
                 "type:       connector (a computer: a command-line or desktop "
                 "client, such as authctl)"));
  CHECK(waiting.wait().exit_code == 0);
}

TEST_CASE("Ctrl-C during device-link phone on a slow server still ends the phone's session") {
  NextermFixture f;
  REQUIRE(f.login().exit_code == 0);
  const size_t before = f.broker.nexterm_sessions(kAdmin).size();
  f.broker.set_latency_ms(1500);  // every request shows "Connecting to HOST" meanwhile
  PtySession pty({"device-link", "phone", "--interval", "1s", "--show-qr", "never"}, f.env, 100,
                 50);
  REQUIRE(pty.read_until(" left", 0, std::chrono::seconds(30)));
  REQUIRE(f.broker.nexterm_sessions(kAdmin).size() == before + 1);  // made at authorize
  pty.read_for(std::chrono::milliseconds(1200));  // into the next slow status request
  pty.type("\x03");
  CHECK(pty.wait() == 130);
  // The guard of the command, not the indicator, acted on Ctrl-C: the clean-up ran.
  CHECK_FALSE(contains(pty.screen(), "could not end the unclaimed phone session"));
  CHECK(contains(pty.screen(), "Ended the session made for the phone"));
  CHECK(f.broker.nexterm_sessions(kAdmin).size() == before);
}
