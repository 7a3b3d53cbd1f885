// backends/session_selection: the order sessions list shows, and which sessions each form
// of sessions kill picks (ids, --others, --idle-for), which of them are not in the list,
// which ids given a filter leaves alone, whether the current session is among them, and
// that it is deleted last.
#include <doctest/doctest.h>

#include <string>

#include "backends/session_selection.hpp"

using namespace authctl::backends;

namespace {

NextermSession session(int64_t id, int64_t last_activity, bool current = false) {
  NextermSession s;
  s.id = id;
  s.ip = "10.0.0." + std::to_string(id);
  s.user_agent = "agent " + std::to_string(id);
  s.last_activity = last_activity;
  s.current = current;
  return s;
}

std::vector<int64_t> ids_of(const std::vector<NextermSession>& sessions) {
  std::vector<int64_t> ids;
  for (const auto& s : sessions) ids.push_back(s.id);
  return ids;
}

std::vector<int64_t> ids_of(const KillSelection& selection) {
  std::vector<int64_t> ids;
  for (const auto& t : selection.targets) ids.push_back(t.id);
  return ids;
}

// The list as sessions kill sees it: 3 is this session, 4 the oldest.
const std::vector<NextermSession> kListed = {session(3, 1000, true), session(2, 900),
                                             session(1, 800), session(4, 100)};

}  // namespace

TEST_CASE("newest_first: newest activity first, ties by id, newest id first") {
  const auto sorted = newest_first(
      {session(1, 500), session(2, 700), session(5, 500), session(3, 900), session(4, 500)},
      std::nullopt, 1000);
  CHECK(ids_of(sorted) == std::vector<int64_t>{3, 2, 5, 4, 1});
  CHECK(newest_first({}, std::nullopt, 1000).empty());
}

TEST_CASE("newest_first: --idle-for keeps the sessions idle at least that long") {
  const std::vector<NextermSession> all = {session(1, 400), session(2, 700), session(3, 1000),
                                           session(4, 400), session(5, 401)};
  // Idle 600 s or more: 1 and 4 (600 s), not 5 (599 s).
  CHECK(ids_of(newest_first(all, 600, 1000)) == std::vector<int64_t>{4, 1});
  CHECK(ids_of(newest_first(all, 0, 1000)) == std::vector<int64_t>{3, 2, 5, 4, 1});
  CHECK(newest_first(all, 3600, 1000).empty());
  // A session active "in the future" (clock skew) is idle for less than any duration.
  CHECK(newest_first({session(7, 2000)}, 0, 1000).empty());
}

TEST_CASE("select_kill: ids in the order given, each once, unknown ones still sent") {
  const KillSelection selection = select_kill(kListed, KillRequest{{2, 9, 2, 1, 9}, false, false});
  CHECK(ids_of(selection) == std::vector<int64_t>{2, 9, 1});
  CHECK(selection.dropped.empty());  // no filter: nothing left alone
  REQUIRE(selection.targets.size() == 3);
  CHECK(selection.targets[0].listed == &kListed[1]);
  CHECK(selection.targets[1].listed == nullptr);  // not in the list: the server judges
  CHECK(selection.targets[2].listed == &kListed[2]);
  CHECK(!selection.kills_current());
  CHECK(selection.deletion_order() == std::vector<int64_t>{2, 9, 1});
}

TEST_CASE("select_kill: the current session among the ids goes last") {
  const KillSelection selection = select_kill(kListed, KillRequest{{3, 1, 4}, false, false});
  CHECK(ids_of(selection) == std::vector<int64_t>{3, 1, 4});  // shown as given
  CHECK(selection.kills_current());
  CHECK(selection.deletion_order() == std::vector<int64_t>{1, 4, 3});
  // Only the current one: it is also the last.
  const KillSelection only = select_kill(kListed, KillRequest{{3}, false, false});
  CHECK(only.kills_current());
  CHECK(only.deletion_order() == std::vector<int64_t>{3});
}

TEST_CASE("select_kill: without ids, every listed session; --others spares the current one") {
  const KillSelection all = select_kill(kListed, KillRequest{{}, false, true});
  CHECK(ids_of(all) == std::vector<int64_t>{3, 2, 1, 4});
  CHECK(all.kills_current());
  CHECK(all.deletion_order() == std::vector<int64_t>{2, 1, 4, 3});

  const KillSelection others = select_kill(kListed, KillRequest{{}, true, false});
  CHECK(ids_of(others) == std::vector<int64_t>{2, 1, 4});
  CHECK(!others.kills_current());
  CHECK(others.deletion_order() == std::vector<int64_t>{2, 1, 4});
  for (const auto& t : others.targets) CHECK(t.listed != nullptr);
}

TEST_CASE("select_kill: --others with ids leaves the current session out, and names it") {
  const KillSelection selection = select_kill(kListed, KillRequest{{3, 2, 8, 3}, true, false});
  CHECK(ids_of(selection) == std::vector<int64_t>{2, 8});
  CHECK(!selection.kills_current());
  REQUIRE(selection.dropped.size() == 1);  // once, though given twice
  CHECK(selection.dropped[0].id == 3);
  CHECK(selection.dropped[0].why == DroppedId::current_spared);
}

TEST_CASE("select_kill: with --idle-for, ids not in the (filtered) list are left alone") {
  // The list holds only the idle sessions: 1 and 4.
  const std::vector<NextermSession> idle = {session(1, 800), session(4, 100)};
  const KillSelection selection = select_kill(idle, KillRequest{{4, 2, 3, 9, 2}, false, true});
  CHECK(ids_of(selection) == std::vector<int64_t>{4});
  // ... and named, each once, in the order given
  REQUIRE(selection.dropped.size() == 3);
  CHECK(selection.dropped[0].id == 2);
  CHECK(selection.dropped[1].id == 3);
  CHECK(selection.dropped[2].id == 9);
  for (const auto& d : selection.dropped) CHECK(d.why == DroppedId::not_idle);
  // --idle-for alone: every idle session.
  CHECK(ids_of(select_kill(idle, KillRequest{{}, false, true})) == std::vector<int64_t>{1, 4});
}

TEST_CASE("select_kill: nothing to kill") {
  CHECK(select_kill({}, KillRequest{{}, false, true}).targets.empty());  // no idle session
  CHECK(select_kill({}, KillRequest{{}, true, false}).targets.empty());  // an empty list
  CHECK(select_kill({session(3, 1000, true)}, KillRequest{{}, true, false}).targets.empty());
  CHECK(select_kill(kListed, KillRequest{{7}, false, true}).targets.empty());
  const KillSelection none = select_kill({}, KillRequest{{}, false, false});
  CHECK(!none.kills_current());
  CHECK(none.deletion_order().empty());
}

TEST_CASE("select_kill: a list with two sessions marked current (a hostile server)") {
  const std::vector<NextermSession> odd = {session(5, 900, true), session(6, 800, true),
                                           session(7, 700)};
  const KillSelection selection = select_kill(odd, KillRequest{{}, false, false});
  CHECK(selection.kills_current());
  // The first current one goes last; each id is deleted exactly once.
  CHECK(selection.deletion_order() == std::vector<int64_t>{6, 7, 5});
  CHECK(select_kill(odd, KillRequest{{}, true, false}).targets.size() == 1);
}
