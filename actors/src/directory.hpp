#pragma once

// Directory shards (docs/design.md §4): map user id -> user actor, spawn on demand, restart on
// failure.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "presence/events/presence.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/recovery.hpp"
#include "shard.hpp"
#include "user.hpp"

namespace presence::actors {

/// How a shard starts: the known users (only those of this shard are kept), the context.
struct directory_config {
  std::size_t index = 0;   ///< this shard's number
  std::size_t shards = 1;  ///< how many shards there are (records of other shards are dropped)
  /// Known users at start: id -> active (those of other shards are dropped). Only ids and the
  /// active flag, in the shard's own table: a restart builds each shard's share of 1,000,000
  /// users beside the workspace fold (`storage::replay_user_flags`) and moves it in.
  storage::user_flags users;
  events::presence_context context;
  int64_t activity_log_interval = 30;
};

/// Spawns one directory shard. Protocol (protocol.hpp):
/// - every user command and query: checks the user (`unknown_user`, `user_deactivated`), spawns
///   its actor when not resident, and forwards with `delegate` (the actor answers the sender).
/// - `(users_atom, std::vector<user_record>)`: adds or updates known users. Answers `unit`, so a
///   requester knows the shard has it.
/// - `(context_atom, presence_context, int64_t activity_log_interval)`: kept for new actors and
///   forwarded to resident ones.
/// - `(quiescent_atom, user, n)`: stops that user's actor iff exactly `n` commands were forwarded
///   to it (none in flight); otherwise ignored.
/// - Passivation: every `passivate_after / 4` the shard sends `(passivate_atom)` to each resident
///   it forwarded nothing to for `passivate_after` (one timer per shard, none per idle actor).
/// - `(get_atom, users_atom) -> uint64_t`: the number of resident user actors.
/// - `(get_atom, user) -> caf::actor`: the resident actor of `user` (`unknown_user` when none),
///   for diagnostics and tests.
/// An exit message stops the shard and every user actor it runs. User actors are monitored: one that stops abnormally is respawned at once and rebuilds its
/// state from the log (a load failure is not retried: the next command tries again).
caf::actor spawn_directory(caf::actor_system& system, std::shared_ptr<const user_env> env,
                           directory_config config);

} // namespace presence::actors
