#include <doctest/doctest.h>

#include "core/text.hpp"

using authctl::text::has_ascii_control;
using authctl::text::needs_escaping;
using authctl::text::printable;
using authctl::text::with_server_text;

TEST_CASE("plain text and valid UTF-8 pass unchanged") {
  CHECK(printable("alice@example.com") == "alice@example.com");
  CHECK(printable("bj\xc3\xb6rn") == "bj\xc3\xb6rn");                                    // ö
  CHECK(printable("\xe2\x82\xac \xf0\x9f\x94\x91") == "\xe2\x82\xac \xf0\x9f\x94\x91");  // € 🔑
  CHECK(printable("C:\\path") == "C:\\path");
  CHECK_FALSE(needs_escaping("bj\xc3\xb6rn"));
}

TEST_CASE("C0 controls and DEL become visible escapes") {
  CHECK(printable("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(printable("line\r\nnext\tcol") == "line\\r\\nnext\\tcol");
  CHECK(printable(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(printable("del\x7f") == "del\\x7f");
  CHECK(printable("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07");  // OSC 52 clipboard
  CHECK(needs_escaping("a\rb"));
  CHECK(has_ascii_control("a\rb"));
  CHECK_FALSE(has_ascii_control("bj\xc3\xb6rn"));
}

TEST_CASE("C1 controls are shown as \\u00NN") {
  CHECK(printable("x\xc2\x9b"
                  "2Jy") == "x\\u009b2Jy");  // CSI
  CHECK(printable("\xc2\x80\xc2\x9f") == "\\u0080\\u009f");
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");  // U+00A0 is not a control
  CHECK(needs_escaping("\xc2\x9b"));
}

TEST_CASE("every byte of invalid UTF-8 is shown as \\xNN") {
  CHECK(printable("\xff") == "\\xff");
  CHECK(printable("\x9b"
                  "2J") == "\\x9b2J");                             // a bare 8-bit CSI
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  CHECK(printable("cut\xe2\x82") == "cut\\xe2\\x82");              // a sequence cut at the end
  CHECK(printable("\xe2(x") == "\\xe2(x");
  CHECK(needs_escaping("\xff"));
}

TEST_CASE("edit_distance counts insertions, deletions, substitutions and swaps") {
  using authctl::text::edit_distance;
  CHECK(edit_distance("login", "login") == 0);
  CHECK(edit_distance("logn", "login") == 1);    // a letter left out
  CHECK(edit_distance("loggin", "login") == 1);  // one too many
  CHECK(edit_distance("lagin", "login") == 1);   // one wrong
  CHECK(edit_distance("lgoin", "login") == 1);   // two swapped
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("status", "switch") == 4);
}

TEST_CASE("nearest: what a mistyped word most likely meant, or nothing when unclear") {
  using authctl::text::nearest;
  const std::vector<std::string> commands = {"login",    "logout", "refresh", "status", "switch",
                                             "sessions", "token",  "whoami",  "exec",   "api"};
  CHECK(nearest("logn", commands) == "login");
  CHECK(nearest("stauts", commands) == "status");
  CHECK(nearest("sess", commands) == "sessions");  // the only one it starts
  CHECK(nearest("lo", commands).empty());          // starts login and logout: unclear
  CHECK(nearest("log", commands).empty());
  CHECK(nearest("xyzzy", commands).empty());  // nothing near
  CHECK(nearest("login", commands).empty());  // not a mistake
  CHECK(nearest("", commands).empty());
  CHECK(nearest("ls", {"list", "kill"}).empty());  // two edits from list: too far for 2 letters
  CHECK(nearest("lst", {"list", "kill"}) == "list");
  CHECK(nearest("--hots", {"--host", "--kind", "--user"}) == "--host");
}

TEST_CASE("with_server_text: authctl's words first, the server's after them, on one line") {
  CHECK(with_server_text("wrong user name or password", "Invalid signature.") ==
        "wrong user name or password (server: Invalid signature)");
  CHECK(with_server_text("refused", "") == "refused");
  CHECK(with_server_text("refused", " \n ") == "refused");
  CHECK(with_server_text("refused", "two\r\nlines\there ") == "refused (server: two lines here)");
  CHECK(with_server_text("refused", "\x1b]0;title\x07") == "refused (server: \\x1b]0;title\\x07)");
  const std::string said = with_server_text("refused", std::string(400, 'x'));
  CHECK(said == "refused (server: " + std::string(300, 'x') + "...)");
  // Cut on a character boundary: "\xc3\xa9" is one character.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xc3\xa9";
  CHECK_FALSE(needs_escaping(with_server_text("refused", accents)));
}

TEST_CASE("equal_ignoring_case: ASCII letters only") {
  using authctl::text::equal_ignoring_case;
  CHECK(equal_ignoring_case("Alice", "alice"));
  CHECK(equal_ignoring_case("", ""));
  CHECK(equal_ignoring_case("a-b_1", "A-B_1"));
  CHECK_FALSE(equal_ignoring_case("alice", "alicE2"));
  CHECK_FALSE(equal_ignoring_case("bob", "rob"));
  CHECK_FALSE(equal_ignoring_case("@", "`"));  // 0x40 and 0x60 differ by 0x20: not letters
  CHECK_FALSE(equal_ignoring_case("[", "{"));
}
