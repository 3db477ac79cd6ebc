#pragma once

// The engine for a host that runs its own CAF actor system and links CAF itself: open the engine
// on that system, and receive notifications as messages to one of the host's actors. A host that
// needs none of this includes `engine.hpp` alone, which names nothing of CAF.

#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "presence/actors/engine.hpp"

namespace presence {

/// Registers the engine's message types and error category with a host's CAF config. Call it
/// before constructing the host's `caf::actor_system`.
void register_engine_types(caf::actor_system_config& config);

/// `engine::open` on an actor system the host already runs (its config must have been passed to
/// `register_engine_types`). Same errors as `engine::open`.
[[nodiscard]] result<std::unique_ptr<engine>> open_engine(caf::actor_system& system,
                                                          engine_config config);

/// `engine::subscribe`, delivering `presence::notification` messages to a CAF actor of the host.
/// `target` must come from `engine::open` or `open_engine`. Errors: `invalid_argument` (an
/// invalid handle), `shutting_down`.
[[nodiscard]] result<uint64_t> subscribe_actor(engine& target, const caf::actor& receiver,
                                               const std::string& owner = {});

/// The actor system the engine runs on (its own, or the host's).
caf::actor_system& system_of(engine& target);

/// `err` as the caf::error the engine's actors answer with (its "presence" category), so that it
/// crosses actors, and CAF's network layer, unchanged.
caf::error caf_error_of(const error& err);
/// The presence::error a caf::error carries; CAF's own errors are mapped (`request_timeout` ->
/// `timeout`, a receiver gone -> `shutting_down`, others -> `invalid_argument` with CAF's text).
/// Precondition: `err` is not none.
error error_of(const caf::error& err);

} // namespace presence
