// cli/connecting: when the "Connecting to HOST" spinner shows, and that it is erased.
#include "cli/connecting.hpp"

#include <doctest/doctest.h>

#include <sstream>

using authctl::cli::ConnectingIndicator;
using authctl::net::Progress;
using std::chrono::milliseconds;

TEST_CASE("nothing in the first second; then Connecting to HOST; erased at the end") {
  std::ostringstream out;
  ConnectingIndicator indicator(out);
  indicator.report({"h:1", milliseconds(100), false});
  indicator.report({"h:1", milliseconds(1000), false});
  CHECK(out.str().empty());
  indicator.report({"h:1", milliseconds(1100), false});
  CHECK(out.str().find("Connecting to h:1") != std::string::npos);
  const size_t drawn = out.str().size();
  indicator.report({"h:1", milliseconds(1200), true});
  CHECK(out.str().substr(drawn) == "\r\x1b[K");
  // A quick request after it draws nothing.
  out.str("");
  indicator.report({"h:1", milliseconds(300), false});
  indicator.report({"h:1", milliseconds(400), true});
  CHECK(out.str().empty());
}

TEST_CASE("a waiting loop's spinner keeps it off the line") {
  std::ostringstream waiting, out;
  authctl::term::Spinner loop(true, waiting);
  ConnectingIndicator indicator(out);
  indicator.report({"h:1", milliseconds(1500), false});
  indicator.report({"h:1", milliseconds(1600), true});
  CHECK(out.str().empty());
}
