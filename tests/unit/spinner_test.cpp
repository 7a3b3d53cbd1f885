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
