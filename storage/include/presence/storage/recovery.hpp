#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "presence/events/result.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage {

/// Rebuilds a user's state: the stored snapshot or the newest checkpoint, whichever is newer (if
/// any decodes), plus the tail of the stream after it. Equal to `replay_user` by construction; `presencectl verify` checks it.
/// A snapshot that does not decode, names another user or disagrees with the sequence it claims
/// to cover is ignored in favour of a full replay (snapshots are only an optimisation).
/// Errors: `corrupt_record` (naming the key), `storage_failure`.
[[nodiscard]] result<events::user_state> recover_user(const event_log& log, std::string_view user);

/// Rebuilds a user's state by folding the whole stream, ignoring snapshots; after retention,
/// the whole retained stream from its base (storage/retention.hpp). With `until` >= 0, folds only
/// events with ts <= until (the state at that instant); an `until` before the retained history
/// is `before_retention`.
[[nodiscard]] result<events::user_state> replay_user(const event_log& log, std::string_view user,
                                                     events::timestamp_us until = -1);

/// Rebuilds the workspace state from the workspace stream (optionally only up to `until`).
[[nodiscard]] result<events::workspace_state> replay_workspace(const event_log& log,
                                                               events::timestamp_us until = -1);

/// Users' active flags: id -> active.
using user_flags = std::unordered_map<std::string, bool>;

/// The active flag of every user of the workspace stream — what `replay_workspace(log)` leaves in
/// each `users[id].active` — without the rest of the workspace, split into `parts` (> 0) maps by
/// `part_of(id)` (which must return less than `parts`). A start-up that needs only the flags
/// (the directory shards) folds them on another thread beside `replay_workspace`.
/// Errors: `invalid_argument` when `parts` is 0 or `part_of` returns `parts` or more; those of
/// `read_stream`.
[[nodiscard]] result<std::vector<user_flags>> replay_user_flags(
  const event_log& log, std::size_t parts,
  const std::function<std::size_t(std::string_view)>& part_of);

/// The `before_retention` error for instant `at` (µs), naming where the retained history begins.
error before_retained(const retention_mark& mark, events::timestamp_us at);

/// Writes a snapshot of `state` (covering `state.last_seq`), and the same state as a checkpoint
/// (storage/history.hpp).
[[nodiscard]] status save_user_snapshot(event_log& log, const events::user_state& state);

} // namespace presence::storage
