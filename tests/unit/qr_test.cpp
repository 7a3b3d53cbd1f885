#include <doctest/doctest.h>

#include <langinfo.h>
#include <locale.h>

#include <cstdlib>
#include <optional>

#include "core/error.hpp"
#include "qr_decode.hpp"
#include "term/qr.hpp"

using namespace authctl;
using namespace authctl::term;
using qr_decode::decode_text_qr;
using qr_decode::ink_grid;
using qr_decode::Theme;

namespace {

const std::string kLink = "https://nexterm.example.com/link?code=ABCD-EFGH";
const std::string kAppLink =
    "nexterm://authorize?code=ABCD-EFGH&server=http%3A%2F%2F127.0.0.1%3A6989";
std::string long_url() {
  std::string url = "https://neuron.example.com/quick-login?session=";
  while (url.size() < 200) url += static_cast<char>('a' + url.size() % 26);
  return url;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// Columns on screen: every character render_qr uses is one column wide, so count code points.
size_t display_width(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

// The dark modules the text shows, whatever the style's convention for ink.
std::vector<std::vector<bool>> dark_grid(const std::string& rendered, QrStyle style) {
  auto grid = ink_grid(rendered, style);
  if (style == QrStyle::half_blocks) {
    for (auto& row : grid) row.flip();  // ink = light module
  }
  return grid;
}

// Sets the locale variables for one test and puts the old values back.
class LocaleEnv {
 public:
  LocaleEnv(const char* lc_all, const char* lang) {
    for (const char* var : kVars) {
      const char* v = std::getenv(var);
      saved_.push_back(v ? std::optional<std::string>(v) : std::nullopt);
    }
    unsetenv("LC_CTYPE");
    set("LC_ALL", lc_all);
    set("LANG", lang);
  }
  ~LocaleEnv() {
    for (size_t i = 0; i < std::size(kVars); ++i) {
      set(kVars[i], saved_[i] ? saved_[i]->c_str() : nullptr);
    }
  }

 private:
  static void set(const char* var, const char* value) {
    if (value) {
      setenv(var, value, 1);
    } else {
      unsetenv(var);
    }
  }
  static constexpr const char* kVars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
  std::vector<std::optional<std::string>> saved_;
};

}  // namespace

TEST_CASE("qr_modules gives a square symbol of the smallest version") {
  auto modules = qr_modules("hello");
  CHECK(modules.size() == 21);  // version 1
  for (const auto& row : modules) CHECK(row.size() == modules.size());
  // The top-left finder pattern: a dark 7x7 ring around a light ring around a dark 3x3.
  CHECK(modules[0][0]);
  CHECK(modules[0][6]);
  CHECK_FALSE(modules[1][1]);
  CHECK(modules[3][3]);
  CHECK_FALSE(modules[7][7]);  // separator

  const size_t width = qr_modules(long_url()).size();
  CHECK(width > 21);
  CHECK((width - 17) % 4 == 0);
}

TEST_CASE("qr_modules refuses text that does not fit in any version") {
  try {
    qr_modules(std::string(3000, 'x'));  // byte mode at level M holds 2331 bytes at most
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::error);
    CHECK(std::string(e.what()).find("too long") != std::string::npos);
  }
}

TEST_CASE("a scanner decodes what render_qr prints, in both styles") {
  for (const std::string& payload : {kLink, kAppLink, long_url()}) {
    for (QrStyle style : {QrStyle::half_blocks, QrStyle::ascii}) {
      CAPTURE(payload);
      CAPTURE(static_cast<int>(style));
      CHECK(decode_text_qr(render_qr(payload, style), style) == payload);
    }
  }
}

TEST_CASE("on the other theme the code is inverted: only scanners that try inverted read it") {
  // This pins the convention documented in qr.hpp: half_blocks is right way round on dark
  // terminals, ascii on light ones.
  const std::string blocks = render_qr(kLink, QrStyle::half_blocks);
  CHECK(decode_text_qr(blocks, QrStyle::half_blocks, Theme::light) == "");
  CHECK(decode_text_qr(blocks, QrStyle::half_blocks, Theme::light, true) == kLink);
  const std::string ascii = render_qr(kLink, QrStyle::ascii);
  CHECK(decode_text_qr(ascii, QrStyle::ascii, Theme::dark) == "");
  CHECK(decode_text_qr(ascii, QrStyle::ascii, Theme::dark, true) == kLink);
}

TEST_CASE("the text shows exactly the symbol's modules inside a 4-module quiet zone") {
  for (QrStyle style : {QrStyle::half_blocks, QrStyle::ascii}) {
    CAPTURE(static_cast<int>(style));
    const auto modules = qr_modules(kAppLink);
    const size_t size = modules.size() + 8;
    auto grid = dark_grid(render_qr(kAppLink, style), style);
    REQUIRE(grid.size() >= size);
    // half_blocks draws an odd row count with a last half line whose lower half is blank.
    CHECK(grid.size() == (style == QrStyle::half_blocks ? size + 1 : size));
    grid.resize(size);
    for (size_t y = 0; y < size; ++y) {
      REQUIRE(grid[y].size() == size);
      for (size_t x = 0; x < size; ++x) {
        const bool in_symbol = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
        CHECK(grid[y][x] == (in_symbol && modules[y - 4][x - 4]));
      }
    }
  }
}

TEST_CASE("half_blocks: a solid quiet zone, equal widths, no escape codes") {
  const std::string text = render_qr(kLink, QrStyle::half_blocks);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  CHECK(text.find('\x1b') == std::string::npos);
  const auto lines = lines_of(text);
  const size_t size = qr_modules(kLink).size() + 8;
  CHECK(lines.size() == (size + 1) / 2);
  std::string full, upper;
  for (size_t i = 0; i < size; ++i) {
    full += "\u2588";
    upper += "\u2580";
  }
  // Quiet zone rows 0-3 are the first two lines; the last line is the final quiet row.
  CHECK(lines[0] == full);
  CHECK(lines[1] == full);
  CHECK(lines[lines.size() - 2] == full);
  CHECK(lines.back() == upper);
  const std::string quiet = "\u2588\u2588\u2588\u2588";  // 4 light modules in both halves
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(display_width(lines[i]) == size);
    if (i + 1 < lines.size()) {
      CHECK(lines[i].substr(0, quiet.size()) == quiet);
      CHECK(lines[i].substr(lines[i].size() - quiet.size()) == quiet);
    }
  }
}

TEST_CASE("ascii: blank quiet zone, equal widths, pure ASCII") {
  for (const std::string& payload : {kLink, long_url()}) {
    const std::string text = render_qr(payload, QrStyle::ascii);
    for (unsigned char c : text) CHECK((c == '\n' || c == ' ' || c == '#'));
    const auto lines = lines_of(text);
    const size_t size = qr_modules(payload).size() + 8;
    REQUIRE(lines.size() == size);
    const std::string blank(2 * size, ' ');
    for (size_t i = 0; i < 4; ++i) {
      CHECK(lines[i] == blank);
      CHECK(lines[size - 1 - i] == blank);
    }
    for (const auto& line : lines) {
      CHECK(line.size() == 2 * size);
      CHECK(line.substr(0, 8) == "        ");
      CHECK(line.substr(line.size() - 8) == "        ");
    }
  }
}

TEST_CASE("qr_style_for_locale follows LC_ALL and LANG without changing the process locale") {
  const std::string before = setlocale(LC_CTYPE, nullptr);
  struct Case {
    const char* lc_all;
    const char* lang;
    QrStyle expected;
  };
  for (const Case& c : {
           Case{"C", nullptr, QrStyle::ascii},
           Case{"C.UTF-8", nullptr, QrStyle::half_blocks},
           Case{nullptr, "C", QrStyle::ascii},
           Case{nullptr, "C.UTF-8", QrStyle::half_blocks},
           Case{"C", "C.UTF-8", QrStyle::ascii},  // LC_ALL wins over LANG
           Case{"POSIX", nullptr, QrStyle::ascii},
           Case{nullptr, nullptr, QrStyle::ascii},
           // Not installed here (or installed): the name says UTF-8 either way.
           Case{nullptr, "en_US.UTF-8", QrStyle::half_blocks},
       }) {
    CAPTURE(c.lc_all ? c.lc_all : "(unset)");
    CAPTURE(c.lang ? c.lang : "(unset)");
    LocaleEnv env(c.lc_all, c.lang);
    CHECK(qr_style_for_locale() == c.expected);
    CHECK(setlocale(LC_CTYPE, nullptr) == before);
    // Same answer as the classic setlocale + nl_langinfo, where the locale exists.
    if (setlocale(LC_CTYPE, "")) {
      const bool utf8 = std::string(nl_langinfo(CODESET)) == "UTF-8";
      CHECK(utf8 == (c.expected == QrStyle::half_blocks));
    }
    setlocale(LC_CTYPE, before.c_str());
  }
}

TEST_CASE("drawing_size counts columns and lines, colour escapes taking no room") {
  const std::string plain = render_qr("https://nexterm.example/link?code=ABCD-EFGH",
                                      QrStyle::half_blocks, /*paint=*/false);
  const std::string painted = render_qr("https://nexterm.example/link?code=ABCD-EFGH",
                                        QrStyle::half_blocks, /*paint=*/true);
  const DrawingSize size = drawing_size(plain);
  const size_t modules = qr_modules("https://nexterm.example/link?code=ABCD-EFGH").size() + 8;
  CHECK(size.columns == modules);
  CHECK(size.rows == (modules + 1) / 2);  // two module rows per line
  CHECK(drawing_size(painted).columns == size.columns);
  CHECK(drawing_size(painted).rows == size.rows);
  CHECK(drawing_size("ab\n\u2584\u2584\u2584\nc").columns == 3);
  CHECK(drawing_size("ab\n\u2584\u2584\u2584\nc").rows == 3);  // a last line without '\n'
}

TEST_CASE("fits: wide enough and tall enough, with the spinner's line under it") {
  const DrawingSize qr{37, 19};
  CHECK(fits(qr, 80, 24, 1));
  CHECK(fits(qr, 37, 20, 1));
  CHECK_FALSE(fits(qr, 36, 50, 1));  // it would wrap
  CHECK_FALSE(fits(qr, 80, 19, 1));  // its top would scroll out of sight
  CHECK(fits(qr, 0, 0, 1));          // not a terminal: drawn as it is
  CHECK_FALSE(fits(qr, 0, 10, 1));
}
