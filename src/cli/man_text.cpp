#include "cli/man_text.hpp"

#include <cstdlib>
#include <utility>
#include <vector>

namespace authctl::cli {

namespace {

// \(xx named characters the man page uses.
std::string named_character(std::string_view name) {
  if (name == "lq" || name == "rq" || name == "dq") return "\"";
  if (name == "aq") return "'";
  if (name == "em") return "\u2014";
  if (name == "en") return "\u2013";
  if (name == "bu") return "\u2022";
  if (name == "pc") return "\u00b7";
  if (name == "co") return "\u00a9";
  return std::string(name);
}

// The words of a macro line's arguments: double quotes group, "" inside them is a quote.
std::vector<std::string> macro_arguments(std::string_view args) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < args.size()) {
    while (i < args.size() && args[i] == ' ') ++i;
    if (i == args.size()) break;
    std::string word;
    if (args[i] == '"') {
      for (++i; i < args.size(); ++i) {
        if (args[i] == '"' && i + 1 < args.size() && args[i + 1] == '"') {
          word += '"';
          ++i;
        } else if (args[i] == '"') {
          ++i;
          break;
        } else {
          word += args[i];
        }
      }
    } else {
      while (i < args.size() && args[i] != ' ') word += args[i++];
    }
    out.push_back(std::move(word));
  }
  return out;
}

// Fills text into lines of at most `width` columns at a left margin (a column per byte,
// except that UTF-8 continuation bytes take none).
class Filler {
 public:
  explicit Filler(size_t width) : width_(width) {}

  void add_words(std::string_view text, size_t margin) {
    margin_ = margin;
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && text[i] == ' ') ++i;
      const size_t start = i;
      while (i < text.size() && text[i] != ' ') ++i;
      if (i > start) words_.emplace_back(text.substr(start, i - start));
    }
  }
  // Ends the paragraph being filled.
  void flush() {
    std::string line;
    size_t columns = 0;
    for (const auto& word : words_) {
      const size_t w = display_width(word);
      if (!line.empty() && margin_ + columns + 1 + w > width_) {
        emit(line);
        line.clear();
        columns = 0;
      }
      if (!line.empty()) {
        line += ' ';
        ++columns;
      }
      line += word;
      columns += w;
    }
    if (!line.empty()) emit(line);
    words_.clear();
  }
  void line_as_is(std::string_view text, size_t margin) {
    flush();
    out_ += std::string(margin, ' ') + std::string(text) + "\n";
    blank_ = false;
  }
  // An .IP tag: at `margin`, then the paragraph's first line goes on after it, at the
  // paragraph's own margin (on the next line when the tag does not leave a space before it).
  void hang(std::string tag, size_t margin) {
    flush();
    hang_ = std::move(tag);
    hang_margin_ = margin;
  }
  void blank_line() {
    flush();
    if (!hang_.empty()) line_as_is(std::exchange(hang_, {}), hang_margin_);
    if (!blank_ && !out_.empty()) out_ += "\n";
    blank_ = true;
  }
  std::string take() {
    flush();
    while (out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "\n\n") == 0) out_.pop_back();
    return out_;
  }

 private:
  static size_t display_width(std::string_view s) {
    size_t n = 0;
    for (char c : s)
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
  }
  void emit(const std::string& line) {
    if (!hang_.empty()) {
      const std::string tag = std::exchange(hang_, {});
      const size_t end = hang_margin_ + display_width(tag);
      if (end < margin_) {
        out_ +=
            std::string(hang_margin_, ' ') + tag + std::string(margin_ - end, ' ') + line + "\n";
        blank_ = false;
        return;
      }
      out_ += std::string(hang_margin_, ' ') + tag + "\n";
    }
    out_ += std::string(margin_, ' ') + line + "\n";
    blank_ = false;
  }
  size_t width_;
  size_t margin_ = 0;
  std::vector<std::string> words_;
  std::string out_;
  bool blank_ = true;
  std::string hang_;  // an .IP tag waiting for its paragraph's first line
  size_t hang_margin_ = 0;
};

constexpr size_t kTagIndent = 8;    // a .TP paragraph's body, under its tag
constexpr size_t kBlockIndent = 4;  // .RS and examples

class Renderer {
 public:
  explicit Renderer(size_t width) : fill_(width) {}

  void line(std::string_view raw) {
    if (raw.rfind(".\\\"", 0) == 0 || raw.rfind("'\\\"", 0) == 0) return;  // a comment
    if (raw.empty() || raw[0] != '.') return text(roff_text(raw));
    const size_t space = raw.find(' ');
    const std::string_view name =
        raw.substr(1, space == std::string_view::npos ? raw.npos : space - 1);
    const std::string_view args =
        space == std::string_view::npos ? std::string_view() : raw.substr(space + 1);
    macro(name, args);
  }
  std::string take() { return fill_.take(); }

 private:
  size_t body() const { return margin_ + (in_tag_paragraph_ ? tag_indent_ : 0); }

  void text(const std::string& t) {
    if (no_fill_) return fill_.line_as_is(t, body() + kBlockIndent);
    if (tag_next_) {
      tag_next_ = false;
      return fill_.line_as_is(t, margin_);
    }
    fill_.add_words(t, body());
  }

  void paragraph(bool tagged) {
    fill_.blank_line();
    in_tag_paragraph_ = tagged;
    tag_next_ = tagged;
    tag_indent_ = kTagIndent;
  }

  void macro(std::string_view name, std::string_view args) {
    const std::vector<std::string> words = macro_arguments(args);
    if (name == "PP" || name == "LP" || name == "P") return paragraph(false);
    if (name == "TP") return paragraph(true);
    if (name == "IP") {  // .IP TAG [WIDTH]: the body indented by WIDTH, the tag before it
      paragraph(true);
      tag_next_ = false;
      if (words.size() > 1 && !words[1].empty() &&
          words[1].find_first_not_of("0123456789") == std::string::npos && words[1].size() < 3)
        tag_indent_ = std::strtoul(words[1].c_str(), nullptr, 10);  // 1 or 2 digits
      if (!words.empty()) fill_.hang(roff_text(words[0]), margin_);
      return;
    }
    if (name == "SS") {
      paragraph(false);
      std::string title;
      for (const auto& w : words) title += (title.empty() ? "" : " ") + roff_text(w);
      fill_.line_as_is(title, margin_);
      return;
    }
    if (name == "RS") {
      fill_.flush();
      stack_.push_back({margin_, in_tag_paragraph_});
      margin_ = body() + kBlockIndent;
      in_tag_paragraph_ = false;
      return;
    }
    if (name == "RE") {
      fill_.flush();
      if (!stack_.empty()) {
        margin_ = stack_.back().margin;
        in_tag_paragraph_ = stack_.back().tagged;
        stack_.pop_back();
      }
      return;
    }
    if (name == "EX" || name == "nf") {
      fill_.flush();
      no_fill_ = true;
      return;
    }
    if (name == "EE" || name == "fi") {
      no_fill_ = false;
      return;
    }
    if (name == "br") return fill_.flush();
    if (name == "sp") return fill_.blank_line();
    font_macro(name, words);
  }

  // .B .I (words joined by spaces) and .BR .RB .IR .RI .BI .IB (joined without): fonts
  // are left out. Other requests are skipped.
  void font_macro(std::string_view name, const std::vector<std::string>& words) {
    const bool spaced = name == "B" || name == "I" || name == "SM";
    const bool alternating = name.size() == 2 &&
                             std::string_view("BIR").find(name[0]) != std::string_view::npos &&
                             std::string_view("BIR").find(name[1]) != std::string_view::npos;
    if (!spaced && !alternating) return;
    std::string joined;
    for (const auto& w : words) joined += (spaced && !joined.empty() ? " " : "") + roff_text(w);
    if (!joined.empty()) text(joined);
  }

  struct Saved {
    size_t margin;
    bool tagged;
  };
  Filler fill_;
  size_t margin_ = 0;
  bool in_tag_paragraph_ = false;
  size_t tag_indent_ = kTagIndent;  // .TP's, or .IP's WIDTH
  bool tag_next_ = false;
  bool no_fill_ = false;
  std::vector<Saved> stack_;
};

}  // namespace

std::string roff_text(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\' || i + 1 == line.size()) {
      out += line[i];
      continue;
    }
    const char c = line[++i];
    if (c == 'f') {  // \fB, \fI, \fR, \fP, \f(CW: a font change, left out
      if (i + 1 < line.size() && line[i + 1] == '(')
        i += 3;
      else
        ++i;
    } else if (c == '(' && i + 2 < line.size()) {
      out += named_character(line.substr(i + 1, 2));
      i += 2;
    } else if (c == 'e' || c == '\\') {
      out += '\\';
    } else if (c == '&' || c == '%' || c == 'c') {
      // zero-width
    } else {
      out += c;  // \- \  \. and the like: the character itself
    }
  }
  return out;
}

std::string fill_text(std::string_view text, size_t width, size_t margin) {
  Filler filler(width);
  filler.add_words(text, margin);
  return filler.take();
}

std::optional<std::string> man_section(std::string_view roff, std::string_view title,
                                       size_t width) {
  Renderer renderer(width);
  bool inside = false, found = false;
  for (size_t start = 0; start < roff.size();) {
    size_t end = roff.find('\n', start);
    if (end == std::string_view::npos) end = roff.size();
    const std::string_view line = roff.substr(start, end - start);
    start = end + 1;
    if (line.rfind(".SH", 0) == 0) {
      const auto words = macro_arguments(line.substr(line.size() > 3 ? 4 : 3));
      std::string heading;
      for (const auto& w : words) heading += (heading.empty() ? "" : " ") + w;
      if (inside) break;
      inside = found = heading == title;
      continue;
    }
    if (inside) renderer.line(line);
  }
  if (!found) return std::nullopt;
  return renderer.take();
}

}  // namespace authctl::cli
