// The broker's hostile mode: a real route answers as usual, then its answer is edited into
// what a malicious server (or a man in the middle on plain http, or under --insecure) would
// send: user names with shell metacharacters, escapes in labels and messages, JSON nested
// 100,000 deep, huge numbers, wrongly typed fields, CR LF in tokens, a huge Retry-After,
// another site's rpId. authctl must refuse or escape each; the broker itself stays honest in
// every other way (the edit is applied to the answer only, after the route did its work).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace testbroker {

struct HostileAnswer {
  // JSON pointer into the route's JSON answer ("/username", "/0/userAgent"; "" is the whole
  // body) -> raw JSON text put there verbatim, so it may be anything a hostile server could
  // send: 1e90, "a\r\nb", [[[[...]]]] 100,000 deep, {"x":1} where a string was due. Missing
  // object members are created. Ignored when `body` is given.
  std::vector<std::pair<std::string, std::string>> set;
  std::optional<std::string> body;  // the whole body, raw (need not be JSON)
  std::string content_type;         // with `body`; default "application/json; charset=utf-8"
  std::map<std::string, std::string> headers;  // added or replaced (e.g. Retry-After)
  std::optional<int> status;                   // replaces the route's status
  int times = 1;                               // how many answers of the path get it
};

// Applies `edit` to one answer. `body` is the route's body; a `set` edit needs it to be JSON
// (else the body is left as it is and false returned).
bool apply_hostile(const HostileAnswer& edit, int& status, std::string& body,
                   std::string& content_type);

}  // namespace testbroker
