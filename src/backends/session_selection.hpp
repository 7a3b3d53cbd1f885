// Which of the account's Nexterm sessions `authctl sessions list` shows and `sessions kill`
// ends (pure: the server's list in, a selection out), so that every filter and edge has a
// unit test (tests/unit/session_selection_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "backends/nexterm.hpp"

namespace authctl::backends {

// Newest activity first (ties by id, newest first, so the order is stable); with `min_idle`,
// only the sessions idle at least that many seconds at `server_now`.
std::vector<NextermSession> newest_first(std::vector<NextermSession> sessions,
                                         std::optional<int64_t> min_idle, int64_t server_now);

// What `sessions kill` asks for: ids, or every listed session (--others: but the current
// one). `idle_filtered`: the list holds only the sessions idle long enough (--idle-for), so
// a given id that is not in it is left alone; without it, such an id is still sent (the
// server judges).
struct KillRequest {
  std::vector<int64_t> ids;
  bool others = false;
  bool idle_filtered = false;
};

struct KillTarget {
  int64_t id = 0;
  const NextermSession* listed = nullptr;  // its row of the list; nullptr: not listed
};

// A given id that a filter leaves alone: --others spares the current session, --idle-for
// the ids not among the idle sessions. Named to the user, so that no id given is silently
// ignored.
struct DroppedId {
  enum Why { current_spared, not_idle };
  int64_t id = 0;
  Why why = not_idle;
};

struct KillSelection {
  std::vector<KillTarget> targets;  // each id once, in the order given (or listed)
  std::vector<DroppedId> dropped;   // each id once, in the order given
  // Whether the session making the requests is among the targets.
  bool kills_current() const;
  // The ids in the order to delete them: the current session last, since once it is gone
  // the server refuses the rest.
  std::vector<int64_t> deletion_order() const;
};

// The sessions of `listed` (the list as shown) that `request` picks. The targets point into
// `listed`, which must outlive the selection.
KillSelection select_kill(const std::vector<NextermSession>& listed, const KillRequest& request);

}  // namespace authctl::backends
