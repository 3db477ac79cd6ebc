#pragma once

// Reading the past cheaply: a stream's state at an instant starts from its newest checkpoint at
// or before that instant (`event_log::put_checkpoint`) and folds only the events after it.
// Checkpoints are an optimisation: one that does not decode is ignored (a longer fold), so the
// answers equal full replays (`replay_user`, `replay_workspace` with `until`).

#include <cstdint>
#include <optional>
#include <string_view>

#include <vector>

#include "presence/events/presence.hpp"
#include "presence/events/presence_timeline.hpp"
#include "presence/events/result.hpp"
#include "presence/events/user_state.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage {

/// A user's state at an instant, and how many events were folded on top of its checkpoint.
struct past_user {
  events::user_state state;
  uint64_t folded = 0;
};

/// The workspace's presence context at an instant: the service switch and idle timeouts in force
/// then, the newest workspace event behind it (`seq`, 0 = none) and the events folded to get it.
struct past_context {
  events::presence_context context;
  sequence seq = 0;
  uint64_t folded = 0;
};

/// `user`'s state at `at` (every event of the stream with ts <= at), equal to
/// `replay_user(log, user, at)`. Errors: `corrupt_record` (naming the key), `storage_failure`.
[[nodiscard]] result<past_user> user_state_at(const event_log& log, std::string_view user,
                                              events::timestamp_us at);

/// The presence context at `at`, equal to `context_of(replay_workspace(log, at))`. Errors: as
/// `user_state_at`.
[[nodiscard]] result<past_context> context_at(const event_log& log, events::timestamp_us at);

/// Stores `state` as a checkpoint of its user's stream (covering `state.last_seq`). Errors: those
/// of `put_checkpoint`, `invalid_argument` for a state without a user id.
[[nodiscard]] status save_user_checkpoint(event_log& log, const events::user_state& state);

/// Stores a checkpoint of the workspace stream: `context` is what the stream's events up to
/// `seq` imply. Errors: those of `put_checkpoint`.
[[nodiscard]] status save_context_checkpoint(event_log& log, const events::presence_context& context,
                                             sequence seq);

/// A user's history over a span: the user's state and the workspace's context before `since`,
/// then the events of both streams from `since` to before `until`, merged in sequence order
/// (what `events::presence_timeline(base, events, …)` replays).
struct history_slice {
  events::timeline_base base;
  std::vector<event> events;
};

/// `user`'s history over [since, until): the base from checkpoints plus tails (as `user_state_at`
/// and `context_at` at `since - 1`), then only the events of the span, so a day's audit costs a
/// day's events, not the stream's. Errors: as `user_state_at`.
[[nodiscard]] result<history_slice> history_between(const event_log& log, std::string_view user,
                                                    events::timestamp_us since,
                                                    events::timestamp_us until);

/// The context a workspace checkpoint's bytes hold; nullopt when they are not one (for verify).
std::optional<events::presence_context> decode_context_checkpoint(std::string_view bytes);

} // namespace presence::storage
