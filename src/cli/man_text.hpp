// The man page as plain text for `authctl help TOPIC`: a renderer of the small part of
// roff that man/authctl.1 uses (.SH .SS .PP .TP .IP .RS .RE .B .I and their alternating
// forms, .EX/.EE, .br, and the escapes \- \fB \fI \fR \fP \(lq \(rq \(dq \(aq \(em \e \&).
// The input is authctl's own man page, embedded at build time (cmake/embed_man.cmake).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authctl::cli {

// The whole man page (man/authctl.1), as roff source.
extern const char kManPage[];

// Section `title` (as in `.SH TITLE`) of `roff`, filled to `width` columns, its heading
// left out; nullopt when there is no such section.
std::optional<std::string> man_section(std::string_view roff, std::string_view title, size_t width);

// `text` filled into lines of at most `width` columns, each `margin` spaces in (a word
// longer than the room stands alone); every line ends with a newline.
std::string fill_text(std::string_view text, size_t width, size_t margin);

// One line of roff text with its escapes and font changes resolved ("\-\-host" -> "--host").
std::string roff_text(std::string_view line);

}  // namespace authctl::cli
