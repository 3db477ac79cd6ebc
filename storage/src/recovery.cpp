// Rebuilding state from the log: snapshot + tail, full replays, and saving snapshots.
#include "presence/storage/recovery.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "presence/events/codec.hpp"
#include "stable_read.hpp"
#include "stored_state.hpp"

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

} // namespace

error before_retained(const retention_mark& mark, events::timestamp_us at) {
  return error{errc::before_retention,
               "instant " + std::to_string(at) + " us is outside the retained history, which " +
                 "begins at " + std::to_string(mark.since) + " us (seq " +
                 std::to_string(mark.from) + "); older events were folded into snapshots"};
}

result<events::user_state> recover_user(const event_log& log, std::string_view user) {
  return detail::stable_read(log, [&](const retention_mark&) -> result<events::user_state> {
    auto snapshot = detail::usable_state(log.get_snapshot(user), user);
    if (!snapshot)
      return snapshot.error();
    // The newest checkpoint may be newer than the snapshot (a base written by retention).
    auto checkpoint = detail::usable_state(log.find_checkpoint(user, ~sequence{0}), user);
    if (!checkpoint)
      return checkpoint.error();
    auto state = fresh_user(user);
    if (snapshot->has_value())
      state = std::move(**snapshot);
    if (checkpoint->has_value() && (*checkpoint)->last_seq > state.last_seq)
      state = std::move(**checkpoint);
    if (auto folded = fold_stream(log, user, state.last_seq + 1, -1, state); !folded)
      return folded.error();
    return state;
  });
}

result<events::user_state> replay_user(const event_log& log, std::string_view user,
                                       events::timestamp_us until) {
  return detail::stable_read(log, [&](const retention_mark& mark) -> result<events::user_state> {
    if (mark.trimmed() && until >= 0 && until < mark.since)
      return before_retained(mark, until);
    auto state = fresh_user(user);
    if (mark.trimmed()) {
      auto base = detail::usable_state(log.find_checkpoint(user, mark.from - 1), user);
      if (!base)
        return base.error();
      if (base->has_value())
        state = std::move(**base);
    }
    if (auto folded = fold_stream(log, user, state.last_seq + 1, until, state); !folded)
      return folded.error();
    return state;
  });
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
  if (auto put = log.put_snapshot(state.id, snap); !put)
    return put;
  // The same state is where reads of past instants after it start (storage/history.hpp).
  return log.put_checkpoint(state.id, snap);
}

} // namespace presence::storage
