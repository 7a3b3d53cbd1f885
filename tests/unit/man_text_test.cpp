#include <doctest/doctest.h>

#include <string>

#include "cli/man_text.hpp"

using authctl::cli::kManPage;
using authctl::cli::man_section;
using authctl::cli::roff_text;

TEST_CASE("roff escapes and font changes become plain text") {
  CHECK(roff_text("\\-\\-host") == "--host");
  CHECK(roff_text("\\fBauthctl\\fR login") == "authctl login");
  CHECK(roff_text("\\fIFILE\\fP") == "FILE");
  CHECK(roff_text("\\(lqquoted\\(rq and \\(dq") == "\"quoted\" and \"");
  CHECK(roff_text("it\\(aqs") == "it's");
  CHECK(roff_text("a\\(emb") == "a\u2014b");
  CHECK(roff_text("\\&.dot and back\\eslash") == ".dot and back\\slash");
}

TEST_CASE("a section: tagged paragraphs, alternating fonts, filling and indents") {
  const std::string page =
      ".TH T 1\n.SH NAME\nt\n.SH EXIT STATUS\n.TP\n.B 0\nSuccess.\n.TP\n.B 2\nUsage: a bad "
      "option, plain http without\n.BR \\-\\-allow\\-http ,\nor\n.RB ( \"login \\-\\-x\" ).\n"
      ".PP\nAfter.\n.RS\n.EX\nauthctl token\n.EE\n.RE\n.SH FILES\nnext\n";
  const auto text = man_section(page, "EXIT STATUS", 40);
  REQUIRE(text);
  CHECK(*text ==
        "0\n"
        "        Success.\n"
        "\n"
        "2\n"
        "        Usage: a bad option, plain http\n"
        "        without --allow-http, or (login\n"
        "        --x).\n"
        "\n"
        "After.\n"
        "        authctl token\n");
  CHECK_FALSE(man_section(page, "NO SUCH", 80));
  CHECK(man_section(page, "FILES", 80) == std::string("next\n"));
}

TEST_CASE("the embedded man page has the help topics, rendered without roff left over") {
  for (const char* title : {"EXIT STATUS", "ENVIRONMENT", "FILES"}) {
    const auto text = man_section(kManPage, title, 80);
    REQUIRE_MESSAGE(text, title);
    CHECK(text->size() > 500);
    CHECK(text->find("\\f") == std::string::npos);
    CHECK(text->find("\\-") == std::string::npos);
    CHECK(text->find("\n.") == std::string::npos);  // no request line shown
    size_t longest = 0;
    for (size_t at = 0, next; at < text->size(); at = next + 1) {
      next = text->find('\n', at);
      if (next == std::string::npos) next = text->size();
      // a word longer than the width stands alone; the man page has none over 80
      longest = std::max(longest, next - at);
    }
    CHECK(longest <= 80);
  }
}

TEST_CASE(".IP TAG WIDTH: the tag before the paragraph's first line, the body indented by WIDTH") {
  const std::string page =
      ".TH T 1\n.SH JSON OUTPUT\n.IP \\(bu 2\nKeys are snake_case and times are UTC.\n"
      ".IP \\(bu 2\nTwo.\n.IP LONGTAG 3\nLong.\n.IP x\nDefault width.\n.IP \\(bu 2\n.PP\nEnd.\n";
  const auto text = man_section(page, "JSON OUTPUT", 24);
  REQUIRE(text);
  CHECK(*text ==
        "\u2022 Keys are snake_case\n"
        "  and times are UTC.\n"
        "\n"
        "\u2022 Two.\n"
        "\n"
        "LONGTAG\n"  // no room before the body: the tag on a line of its own
        "   Long.\n"
        "\n"
        "x       Default width.\n"
        "\n"
        "\u2022\n"  // a tag with no paragraph is still shown
        "\n"
        "End.\n");
}
