#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "term/spinner.hpp"

using authctl::term::Spinner;

namespace {

// Sets LC_ALL (which picks the frames) for one test and puts the old value back.
class LcAll {
 public:
  explicit LcAll(const char* value) {
    if (const char* old = std::getenv("LC_ALL")) saved_ = old;
    setenv("LC_ALL", value, 1);
  }
  ~LcAll() {
    if (saved_) {
      setenv("LC_ALL", saved_->c_str(), 1);
    } else {
      unsetenv("LC_ALL");
    }
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("a disabled spinner writes nothing") {
  std::ostringstream out;
  {
    Spinner spinner(false, out);
    spinner.update("waiting for approval");
    spinner.finish();
  }
  CHECK(out.str().empty());
}

TEST_CASE("an enabled spinner redraws one line and erases it when done") {
  LcAll c("C");
  std::ostringstream out;
  {
    Spinner spinner(true, out);
    spinner.update("waiting");
    CHECK(out.str() == "\r| waiting\x1b[K");
    spinner.update("still waiting");
    spinner.update("a");
    spinner.update("b");
    spinner.update("c");  // the frames wrap around
    CHECK(out.str() ==
          "\r| waiting\x1b[K\r/ still waiting\x1b[K\r- a\x1b[K\r\\ b\x1b[K\r| c\x1b[K");
    out.str("");
    spinner.finish();
    CHECK(out.str() == "\r\x1b[K");
    out.str("");
  }
  CHECK(out.str().empty());  // already finished: the destructor has nothing to erase
}

TEST_CASE("the destructor erases the line; UTF-8 locales get braille frames") {
  LcAll utf8("C.UTF-8");
  std::ostringstream out;
  {
    Spinner spinner(true, out);
    spinner.update("x");
    spinner.update("y");
  }
  CHECK(out.str() == "\r⠋ x\x1b[K\r⠙ y\x1b[K\r\x1b[K");
}

TEST_CASE("control characters in the status cannot break the line or reach the terminal") {
  LcAll c("C");
  std::ostringstream out;
  Spinner spinner(true, out);
  spinner.update("a\nb\x1b]0;pwned\x07\xc2\x9b");
  CHECK(out.str() ==
        "\r| a\\nb\\x1b]0;pwned\\x07\\u009b\x1b[K");  // shown escaped (text::printable)
}

TEST_CASE("the status of a wait: what matters first, then the time left, then how to stop") {
  using authctl::term::wait_status;
  CHECK(wait_status("GMY5-ABHQ", 540, true) == "GMY5-ABHQ \u00b7 9m left \u00b7 Ctrl-C to stop");
  CHECK(wait_status("GMY5-ABHQ", 540, false) == "GMY5-ABHQ - 9m left - Ctrl-C to stop");
}

TEST_CASE("the line is cut from the end to the terminal, one column kept free") {
  LcAll c("C");
  std::ostringstream out;
  Spinner spinner(true, out);
  spinner.update("GMY5-ABHQ - 9m left - Ctrl-C to stop", 20);
  CHECK(out.str() == "\r| GMY5-ABHQ - 9m le\x1b[K");  // 19 columns of 20
  out.str("");
  spinner.update("GMY5-ABHQ", 0);  // not a terminal: nothing to cut
  CHECK(out.str() == "\r/ GMY5-ABHQ\x1b[K");
}

TEST_CASE("after the terminal got narrower, the reflowed line is erased from its first row") {
  LcAll c("C");
  std::ostringstream out;
  Spinner spinner(true, out);
  spinner.update(std::string(50, 'x'), 80);  // 52 columns drawn
  out.str("");
  spinner.update("short", 20);  // 52 columns now take 3 rows: up 2, erase below
  CHECK(out.str() == "\r\x1b[2A\x1b[J/ short\x1b[K");
  out.str("");
  spinner.update("short", 20);  // it fits: a plain redraw
  CHECK(out.str() == "\r- short\x1b[K");
  spinner.update(std::string(30, 'y'), 40);  // 32 columns
  out.str("");
  spinner.finish(16);  // 2 rows at 16 columns
  CHECK(out.str() == "\r\x1b[1A\x1b[J\x1b[K");
}
