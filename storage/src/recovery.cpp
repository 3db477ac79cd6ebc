// Rebuilding state from the log: snapshot + tail, full replays, and saving snapshots.
#include "presence/storage/recovery.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <variant>

#include "presence/events/codec.hpp"

namespace presence::storage {

namespace {

/// Folds `stream` from `from` into `state`, stopping after the last event with ts <= `until`
/// (all of it when `until` < 0).
template <class State>
status fold_stream(const event_log& log, std::string_view stream, sequence from,
                   events::timestamp_us until, State& state) {
  return log.read_stream(stream, from, [&](const event& ev) {
    if (until >= 0 && ev.ts > until)
      return false;
    events::apply(state, ev);
    return true;
  });
}

events::user_state fresh_user(std::string_view user) {
  events::user_state state;
  state.id = std::string{user};
  return state;
}

/// The stored snapshot of `user` when it exists and decodes to a consistent state; nullopt
/// otherwise (a damaged snapshot only costs a full replay). Storage failures are errors.
result<std::optional<events::user_state>> usable_snapshot(const event_log& log,
                                                          std::string_view user) {
  auto stored = log.get_snapshot(user);
  if (!stored) {
    if (stored.error().code == errc::corrupt_record)
      return std::optional<events::user_state>{};
    return stored.error();
  }
  if (!stored->has_value())
    return std::optional<events::user_state>{};
  auto decoded = events::decode_snapshot((*stored)->bytes);
  if (!decoded || decoded->id != user || decoded->last_seq != (*stored)->seq)
    return std::optional<events::user_state>{};
  return std::optional<events::user_state>{std::move(*decoded)};
}

} // namespace

result<events::user_state> recover_user(const event_log& log, std::string_view user) {
  auto snapshot = usable_snapshot(log, user);
  if (!snapshot)
    return snapshot.error();
  auto state = snapshot->has_value() ? std::move(**snapshot) : fresh_user(user);
  const sequence from = state.last_seq + 1;
  if (auto folded = fold_stream(log, user, from, -1, state); !folded)
    return folded.error();
  return state;
}

result<events::user_state> replay_user(const event_log& log, std::string_view user,
                                       events::timestamp_us until) {
  auto state = fresh_user(user);
  if (auto folded = fold_stream(log, user, 1, until, state); !folded)
    return folded.error();
  return state;
}

result<events::workspace_state> replay_workspace(const event_log& log, events::timestamp_us until) {
  events::workspace_state state;
  if (auto folded = fold_stream(log, events::workspace_stream, 1, until, state); !folded)
    return folded.error();
  return state;
}

result<std::vector<user_flags>> replay_user_flags(
  const event_log& log, std::size_t parts,
  const std::function<std::size_t(std::string_view)>& part_of) {
  // Read first, hashed once the count is known: growing the tables while reading (a rehash at
  // every doubling) took 1.5 s for 1,000,000 users. Per part, the creations in stream order and
  // each deactivation with the number of creations before it, so that the tables below see the
  // two kinds of events in their stream order.
  struct part_events {
    std::vector<std::string> created;
    std::vector<std::pair<std::size_t, std::string>> deactivated;
  };
  if (parts == 0)
    return error{errc::invalid_argument, "replay_user_flags: no parts"};
  std::vector<part_events> read(parts);
  std::string misplaced;  // an id that part_of put out of range
  auto part_for = [&](const std::string& id) -> part_events* {
    auto part = part_of(id);
    if (part < parts)
      return &read[part];
    misplaced = id;
    return nullptr;
  };
  auto scanned = log.read_stream(events::workspace_stream, 1, [&](const event& ev) {
    if (const auto* created = std::get_if<events::user_created>(&ev.body)) {
      auto* part = part_for(created->user);
      if (part == nullptr)
        return false;
      part->created.push_back(created->user);
    } else if (const auto* gone = std::get_if<events::user_deactivated>(&ev.body)) {
      auto* part = part_for(gone->user);
      if (part == nullptr)
        return false;
      part->deactivated.emplace_back(part->created.size(), gone->user);
    }
    return true;
  });
  if (!scanned)
    return scanned.error();
  if (!misplaced.empty())
    return error{errc::invalid_argument,
                 "replay_user_flags: part_of(\"" + misplaced + "\") is not below " +
                   std::to_string(parts)};
  // The rules of the workspace fold (workspace_state.cpp): creation never reactivates, and
  // deactivating an unknown user does nothing.
  std::vector<user_flags> flags(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    auto& table = flags[p];
    auto& created = read[p].created;
    const auto& deactivated = read[p].deactivated;
    table.reserve(created.size());
    std::size_t next = 0;
    auto deactivate_before = [&](std::size_t position) {
      for (; next < deactivated.size() && deactivated[next].first <= position; ++next)
        if (auto it = table.find(deactivated[next].second); it != table.end())
          it->second = false;
    };
    for (std::size_t i = 0; i < created.size(); ++i) {
      deactivate_before(i);
      table.try_emplace(std::move(created[i]), true);
    }
    deactivate_before(created.size());
  }
  return flags;
}

status save_user_snapshot(event_log& log, const events::user_state& state) {
  if (state.id.empty())
    return error{errc::invalid_argument, "save_user_snapshot: the state has no user id"};
  snapshot_record snap;
  snap.seq = state.last_seq;
  snap.bytes = events::encode_snapshot(state);
  return log.put_snapshot(state.id, snap);
}

result<std::vector<events::event>> user_history(const event_log& log, std::string_view user,
                                                events::timestamp_us until) {
  std::vector<events::event> user_events;
  std::vector<events::event> workspace_events;
  for (auto [stream, sink] : {std::pair{user, &user_events},
                              std::pair{events::workspace_stream, &workspace_events}}) {
    // Each stream is in time order: stop at the first event at or after `until`.
    auto read = log.read_stream(stream, 0, [&, sink = sink](const events::event& event) {
      if (event.ts >= until)
        return false;
      sink->push_back(event);
      return true;
    });
    if (!read.ok())
      return read.error();
  }
  std::vector<events::event> merged;
  merged.reserve(user_events.size() + workspace_events.size());
  std::merge(user_events.begin(), user_events.end(), workspace_events.begin(),
             workspace_events.end(), std::back_inserter(merged),
             [](const events::event& a, const events::event& b) { return a.seq < b.seq; });
  return merged;
}

} // namespace presence::storage
