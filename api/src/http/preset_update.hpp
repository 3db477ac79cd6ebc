#pragma once

// A partial preset update shared by the Web API (admin.presets.update) and the REST API
// (custom-user-status.update): fields not given keep their value. Blocking: call it on the
// blocking pool.

#include <optional>
#include <string>

#include "presence/actors/engine.hpp"

namespace presence::api::http {

/// Updates preset `id`, keeping its name and/or presence when not given; returns the preset as
/// stored. Errors: `unknown_preset`, `invalid_preset`, and the engine's.
result<events::preset> update_preset(presence::engine& engine, const std::string& id,
                                     const std::optional<std::string>& name,
                                     std::optional<events::presence_value> presence,
                                     const presence::origin& from);

} // namespace presence::api::http
