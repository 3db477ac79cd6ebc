#pragma once

// The one function that registers the engine's message types (their `inspect` overloads are in
// presence/actors/inspect.hpp) and its error category with an actor_system_config. Included by
// protocol.hpp, so every message sender sees the overloads. Private to the actors module.

#include <caf/actor_system_config.hpp>

#include "errors.hpp"
#include "presence/actors/inspect.hpp"

namespace presence::actors {

/// Registers every message type of protocol.hpp and the "presence" error category (with its
/// renderer). Call once per config, before the actor_system is constructed.
void register_types(caf::actor_system_config& config);

} // namespace presence::actors
