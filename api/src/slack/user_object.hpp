#pragma once

// Slack's user object as this server shows it to a teammate: users.info, users.list members and
// the RTM `user_change` frame render the same fields from the same function.

#include <nlohmann/json.hpp>

#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::slack {

/// A Slack profile's status fields (status_text, status_emoji, status_expiration).
nlohmann::json profile_json(const events::custom_status& status);

/// `{id, name, deleted, is_admin, is_bot, profile {status_text, status_emoji,
/// status_expiration[, always_active]}}`: `always_active` only for a bot.
nlohmann::json user_object(const events::user_record& user, const events::custom_status& status);

} // namespace presence::api::slack
