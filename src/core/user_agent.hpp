// A session's User-Agent as a table shows it: what tells the sessions apart, not the whole
// header. Browsers send ~120 bytes that mostly repeat each other ("Mozilla/5.0 (Macintosh;
// Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0
// Safari/537.36"); authctl sends "authctl/VERSION (HOSTNAME)" (cli/context.cpp), whose
// host is what matters. --json keeps the header exact.
#pragma once

#include <string>
#include <string_view>

namespace authctl::user_agent {

// "Chrome 126 on macOS" for a browser (Edge, Opera, Samsung Internet, Firefox, Chrome,
// Safari; the system when it is one of Windows, iOS, iPadOS, Android, ChromeOS, macOS,
// Linux), "authctl on HOSTNAME" for authctl's own, anything else as it is. Not escaped:
// the caller escapes it for the terminal.
std::string label(std::string_view header);

// A device code's clientType with what it means, for the approval prompt: "connector" is
// not a word a person knows (it is what Nexterm calls a computer's client). Another type
// is returned as it is (not escaped).
std::string client_type_label(std::string_view type);

}  // namespace authctl::user_agent
