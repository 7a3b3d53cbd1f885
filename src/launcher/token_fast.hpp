// The cache-hit path of `authctl token`, run by the launcher before the rest of authctl is
// loaded: no CLI11, no libcurl, no OpenSSL (design.md, "Performance targets"; git keeps
// libcurl out of its main binary the same way).
#pragma once

#include <optional>

namespace authctl::launcher {

// Serves `authctl [-p NAME] [--config-dir DIR] token [--min-valid D]` when the stored token is
// fresh enough: prints it and returns 0. Returns nullopt for anything else - other options,
// a token that needs a refresh, any error - so that the full program handles it (and
// reports errors) exactly as it always does.
std::optional<int> try_token_cache_hit(int argc, char** argv);

}  // namespace authctl::launcher
