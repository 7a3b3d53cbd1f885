#include "backends/session_selection.hpp"

#include <algorithm>

namespace authctl::backends {

namespace {

const NextermSession* find_listed(const std::vector<NextermSession>& listed, int64_t id) {
  auto it = std::find_if(listed.begin(), listed.end(),
                         [&](const NextermSession& s) { return s.id == id; });
  return it == listed.end() ? nullptr : &*it;
}

bool is_current(const KillTarget& target) {
  return target.listed && target.listed->current;
}

}  // namespace

std::vector<NextermSession> newest_first(std::vector<NextermSession> sessions,
                                         std::optional<int64_t> min_idle, int64_t server_now) {
  std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
    return a.last_activity != b.last_activity ? a.last_activity > b.last_activity : a.id > b.id;
  });
  if (min_idle)
    sessions.erase(
        std::remove_if(sessions.begin(), sessions.end(),
                       [&](const auto& s) { return server_now - s.last_activity < *min_idle; }),
        sessions.end());
  return sessions;
}

bool KillSelection::kills_current() const {
  return std::any_of(targets.begin(), targets.end(), is_current);
}

std::vector<int64_t> KillSelection::deletion_order() const {
  std::vector<int64_t> order;
  auto current = std::find_if(targets.begin(), targets.end(), is_current);
  for (auto it = targets.begin(); it != targets.end(); ++it)
    if (it != current) order.push_back(it->id);
  if (current != targets.end()) order.push_back(current->id);
  return order;
}

KillSelection select_kill(const std::vector<NextermSession>& listed, const KillRequest& request) {
  KillSelection selection;
  if (request.ids.empty()) {
    for (const auto& s : listed)
      if (!(request.others && s.current)) selection.targets.push_back(KillTarget{s.id, &s});
    return selection;
  }
  for (int64_t id : request.ids) {
    const bool seen = std::any_of(selection.targets.begin(), selection.targets.end(),
                                  [&](const KillTarget& t) { return t.id == id; }) ||
                      std::any_of(selection.dropped.begin(), selection.dropped.end(),
                                  [&](const DroppedId& d) { return d.id == id; });
    if (seen) continue;  // each id once
    const NextermSession* row = find_listed(listed, id);
    if (request.others && row && row->current)
      selection.dropped.push_back(DroppedId{id, DroppedId::current_spared});
    else if (request.idle_filtered && !row)
      selection.dropped.push_back(DroppedId{id, DroppedId::not_idle});
    else
      selection.targets.push_back(KillTarget{id, row});
  }
  return selection;
}

}  // namespace authctl::backends
