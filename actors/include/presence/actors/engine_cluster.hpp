#pragma once

// What a cluster node (presence/cluster) needs of the engine beyond the facade: sharing the
// workspace stream with its owner node, and counting the other nodes' connections. A host that
// runs one node needs none of this.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "presence/actors/engine.hpp"
#include "presence/events/event.hpp"

namespace presence {

/// Up to `limit` events of the workspace stream with a sequence at or after `from`, in order, read
/// from the log on the calling thread (not an engine thread). `target` must come from
/// `engine::open` or `open_engine`. Errors: `invalid_argument` (another engine), `storage_failure`,
/// `corrupt_record`.
[[nodiscard]] result<std::vector<events::event>>
workspace_events(engine& target, events::sequence from, std::size_t limit);

/// Appends `events` (of the workspace owner's stream, as recorded there: their `by`, `via`,
/// `token_id`, `address` and timestamps) to this engine's workspace stream in one write, then
/// applies them as if they were its own: users, tokens, settings, presets and the service state
/// follow the owner's. Blocking; returns how many were applied. Errors: `invalid_argument`
/// (another engine, or an event of a user stream), `storage_failure`, `disk_full`, `timeout`,
/// `shutting_down`.
[[nodiscard]] result<uint64_t> replicate_workspace(engine& target,
                                                   std::vector<events::event> events);

/// The open connections of the other cluster nodes' users, counted with this engine's against the
/// workspace connection limit (`service().connections` is the sum); on the workspace owner a rise
/// past the limit turns the service off, as a connect does. Returns at once. Errors:
/// `invalid_argument` (another engine), `shutting_down`.
status set_peer_connections(engine& target, uint64_t connections);

} // namespace presence
