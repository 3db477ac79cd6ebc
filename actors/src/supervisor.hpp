#pragma once

// The workspace supervisor (docs/design.md §1, §4): one per workspace. Counts open connections,
// enforces the connection limit, owns the service switch, settings, users, tokens and presets.
// Every change is an event of the workspace stream, appended through the journal before anyone is
// told.

#include <functional>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "presence/events/event.hpp"
#include "presence/events/workspace_state.hpp"
#include "protocol.hpp"

namespace presence::actors {

/// How a supervisor starts.
struct supervisor_config {
  /// `(append_atom, std::vector<events::event>, stored_atom) -> std::vector<events::event>`: the
  /// events as stored, after the write. Requests to it never time out: a supervisor must not
  /// guess whether a write happened.
  journal_handle journal;
  /// The workspace stream replayed at start.
  events::workspace_state initial;
  /// Timestamps of the events it appends, µs since the Unix epoch; empty = the system clock.
  std::function<events::timestamp_us()> clock;
  /// A cluster replica of the workspace: it never turns the service on or off by itself (the
  /// workspace owner does, and its events arrive through `replicate_atom`).
  bool replica = false;
};

/// Spawns the supervisor on the shared scheduler. It handles every supervisor message of
/// protocol.hpp; admin replies carry `presence::errc` errors as `caf::error`. Writes are
/// serialised: while an append is in flight (awaited), no other message is handled, so each
/// command is validated against the state every earlier command produced.
/// - `(attach_atom, directory_shards, broadcasters[, bool users_known])`: pushes each shard the
///   users it owns (`user_shard` over the shards in the order given; skipped when
///   `users_known`: the shards were spawned with them), the presence context and settings, and the
///   service state; later changes are pushed the same way (user changes to every shard, which keep
///   only their own).
/// - `(conn_delta_atom, delta)`: counts connections. A connect that takes the count past
///   `connection_limit` (0 = unlimited) while the service is on appends
///   `service_disabled("connection_limit", count)` by `system`, then tells every directory shard
///   (context with `service_enabled = false`, unless `degraded_query_only`: then queries keep real
///   presence) and every broadcaster (`service_atom, false`). With `auto_reenable_below` set, a
///   disconnect that takes the count below it (and below the limit) appends `service_enabled` by
///   `system`.
/// - `(peers_atom, connections)`: the other cluster nodes' connections, counted with this node's
///   against the limit as above.
/// - `(replicate_atom, events)`: appends another node's workspace events as recorded there (their
///   `by`, `via`, timestamps), applies and announces them like its own; replies how many.
/// - `(enable_atom, by, via)`: `connection_limit_exceeded` while count >= limit; a no-op when on.
/// - admin requests: see protocol.hpp; an empty `by` is recorded as `system`. Tokens: only the
///   SHA-256 of the secret is logged; `auth` hashes the presented secret.
/// Append failures are returned to the requester unchanged (e.g. `storage_failure`) and change
/// nothing.
supervisor_handle spawn_supervisor(caf::actor_system& system, supervisor_config config);

} // namespace presence::actors
