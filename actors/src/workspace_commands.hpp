#pragma once

// The workspace supervisor's decisions as pure functions: each admin command is checked against
// the current `workspace_state` and turned into the payload of the event that records it, or an
// error. No CAF, no clock, no randomness (ids come in as arguments), so every rule is
// unit-testable and the actor only sequences append -> apply -> announce.

#include <map>
#include <string>
#include <string_view>

#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::actors {

/// `user_created`. Errors: `invalid_user_id` (also for the reserved id `system`),
/// `user_exists` (an existing id, active or deactivated), `invalid_argument` (an admin bot).
result<events::payload> plan_create_user(const events::workspace_state& state,
                                         const std::string& id, const std::string& name,
                                         bool admin, bool bot);

/// `always_active_set`. Errors: `unknown_user`, `user_deactivated`, `not_a_bot`.
result<events::payload> plan_set_always_active(const events::workspace_state& state,
                                               const std::string& id, bool always_active);

/// `user_deactivated`. Errors: `unknown_user`, `user_deactivated` (already).
result<events::payload> plan_deactivate_user(const events::workspace_state& state,
                                             const std::string& id);

/// Checks that `user` may receive a token. Errors: `unknown_user`, `user_deactivated`.
status check_token_owner(const events::workspace_state& state, const std::string& user);

/// `token_revoked`. Error: `unknown_token` (no such id, or already revoked).
result<events::payload> plan_revoke_token(const events::workspace_state& state,
                                          const std::string& token_id);

/// `setting_changed` after validating on a copy (`events::set_setting`). Error: `invalid_setting`.
result<events::payload> plan_set_setting(const events::workspace_state& state,
                                         const std::string& key, const std::string& value);

/// `preset_created` with id `id`. Errors: `invalid_preset` (name invalid, or equal to another
/// preset's name ignoring ASCII case), `invalid_presence` (`disabled` or out of range).
result<events::payload> plan_create_preset(const events::workspace_state& state,
                                           const std::string& id, const std::string& name,
                                           events::presence_value presence);

/// `preset_updated`. Errors: `unknown_preset`, then as `plan_create_preset` (its own name is no
/// conflict).
result<events::payload> plan_update_preset(const events::workspace_state& state,
                                           const std::string& id, const std::string& name,
                                           events::presence_value presence);

/// `preset_deleted`. Error: `unknown_preset`.
result<events::payload> plan_delete_preset(const events::workspace_state& state,
                                           const std::string& id);

/// The manual mode a preset's presence value stands for (online = automatic, offline =
/// invisible). Error: `invalid_preset` (a value with no manual mode).
result<events::manual_mode> manual_mode_of(const events::preset& preset);

/// Live tokens by the hex SHA-256 of their secret -> token id. Rebuilt from the state.
using token_index = std::map<std::string, std::string, std::less<>>;

/// Every non-revoked token of `state`, by hash.
token_index index_tokens(const events::workspace_state& state);

/// The user whose live token has hash `hash` (the caller hashes the presented secret). Errors:
/// `unknown_token` (no token has that hash), `token_revoked`, `user_deactivated`, `unknown_user`.
/// The index lookup may take time that depends on the hash; that reveals nothing usable about a
/// secret (SHA-256 is preimage-resistant), and the final match is compared in constant time.
result<events::user_record> authenticate(const events::workspace_state& state,
                                         const token_index& tokens, std::string_view hash);

/// The user of the token `token_id`. Errors: `unknown_token`, `token_revoked`,
/// `user_deactivated`, `unknown_user`.
result<events::user_record> token_owner(const events::workspace_state& state,
                                        std::string_view token_id);

/// The context directory shards (and so user actors) evaluate presence with. With
/// `degraded_query_only`, a disabled service still reads as enabled here, so queries answer real
/// presence while broadcasters stay off (docs/design.md §1 `degraded_mode = query_only`).
events::presence_context directory_context(const events::workspace_state& state) noexcept;

} // namespace presence::actors
