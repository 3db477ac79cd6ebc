// Rebuilding state from the log: snapshot + tail, full replays, and saving snapshots.
#include "presence/storage/recovery.hpp"

#include <string>
#include <utility>

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

status save_user_snapshot(event_log& log, const events::user_state& state) {
  if (state.id.empty())
    return error{errc::invalid_argument, "save_user_snapshot: the state has no user id"};
  snapshot_record snap;
  snap.seq = state.last_seq;
  snap.bytes = events::encode_snapshot(state);
  return log.put_snapshot(state.id, snap);
}

} // namespace presence::storage
