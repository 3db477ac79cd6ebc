#include "workspace_commands.hpp"

#include <algorithm>
#include <cctype>

#include "presence/events/validation.hpp"
#include "token_hash.hpp"

namespace presence::actors {

namespace {

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

status check_preset(const events::workspace_state& state, const std::string& id,
                    const std::string& name, events::presence_value presence) {
  if (auto st = events::validate_preset_name(name); !st)
    return st;
  for (const auto& [other_id, other] : state.presets)
    if (other_id != id && equal_ignoring_ascii_case(other.name, name))
      return {errc::invalid_preset, "a preset named \"" + other.name + "\" exists"};
  if (presence == events::presence_value::disabled || presence > events::presence_value::disabled)
    return {errc::invalid_presence, "a preset's presence is online, away, busy or offline"};
  return {};
}

} // namespace

result<events::payload> plan_create_user(const events::workspace_state& state,
                                         const std::string& id, const std::string& name,
                                         bool admin, bool bot) {
  if (auto st = events::validate_user_id(id); !st)
    return st.error();
  if (id == events::system_actor)
    return presence::error{errc::invalid_user_id, "\"system\" is reserved"};
  if (state.users.count(id) != 0)
    return presence::error{errc::user_exists, id};
  if (admin && bot)
    return presence::error{errc::invalid_argument, "a bot cannot be an admin"};
  return events::payload{events::user_created{id, name, admin, bot}};
}

result<events::payload> plan_set_always_active(const events::workspace_state& state,
                                               const std::string& id, bool always_active) {
  auto i = state.users.find(id);
  if (i == state.users.end())
    return presence::error{errc::unknown_user, id};
  if (!i->second.active)
    return presence::error{errc::user_deactivated, id};
  if (!i->second.bot)
    return presence::error{errc::not_a_bot, id + " is not a bot"};
  return events::payload{events::always_active_set{id, always_active}};
}

result<events::payload> plan_deactivate_user(const events::workspace_state& state,
                                             const std::string& id) {
  auto i = state.users.find(id);
  if (i == state.users.end())
    return presence::error{errc::unknown_user, id};
  if (!i->second.active)
    return presence::error{errc::user_deactivated, id};
  return events::payload{events::user_deactivated{id}};
}

status check_token_owner(const events::workspace_state& state, const std::string& user) {
  auto i = state.users.find(user);
  if (i == state.users.end())
    return {errc::unknown_user, user};
  if (!i->second.active)
    return {errc::user_deactivated, user};
  return {};
}

result<events::payload> plan_revoke_token(const events::workspace_state& state,
                                          const std::string& token_id) {
  auto i = state.tokens.find(token_id);
  if (i == state.tokens.end() || i->second.revoked)
    return presence::error{errc::unknown_token, token_id};
  return events::payload{events::token_revoked{token_id}};
}

result<events::payload> plan_set_setting(const events::workspace_state& state,
                                         const std::string& key, const std::string& value) {
  auto copy = state.settings;
  if (auto st = events::set_setting(copy, key, value); !st)
    return st.error();
  return events::payload{events::setting_changed{key, value}};
}

result<events::payload> plan_create_preset(const events::workspace_state& state,
                                           const std::string& id, const std::string& name,
                                           events::presence_value presence) {
  if (auto st = check_preset(state, id, name, presence); !st)
    return st.error();
  return events::payload{events::preset_created{id, name, presence}};
}

result<events::payload> plan_update_preset(const events::workspace_state& state,
                                           const std::string& id, const std::string& name,
                                           events::presence_value presence) {
  if (state.presets.count(id) == 0)
    return presence::error{errc::unknown_preset, id};
  if (auto st = check_preset(state, id, name, presence); !st)
    return st.error();
  return events::payload{events::preset_updated{id, name, presence}};
}

result<events::payload> plan_delete_preset(const events::workspace_state& state,
                                           const std::string& id) {
  if (state.presets.count(id) == 0)
    return presence::error{errc::unknown_preset, id};
  return events::payload{events::preset_deleted{id}};
}

token_index index_tokens(const events::workspace_state& state) {
  token_index out;
  // Revoked tokens stay indexed so their holders are told `token_revoked`, not `invalid_auth`.
  for (const auto& [id, token] : state.tokens)
    out.emplace(token.hash, id);
  return out;
}

result<events::user_record> authenticate(const events::workspace_state& state,
                                         const token_index& tokens, std::string_view hash) {
  auto i = tokens.find(hash);
  if (i == tokens.end())
    return presence::error{errc::unknown_token, "no live token matches"};
  auto token = state.tokens.find(i->second);
  if (token == state.tokens.end() || !constant_time_equal(token->second.hash, hash))
    return presence::error{errc::unknown_token, "no live token matches"};
  return token_owner(state, token->first);
}

result<events::user_record> token_owner(const events::workspace_state& state,
                                        std::string_view token_id) {
  auto token = state.tokens.find(token_id);
  if (token == state.tokens.end())
    return presence::error{errc::unknown_token, "no token " + std::string{token_id}};
  if (token->second.revoked)
    return presence::error{errc::token_revoked, "token " + token->first + " was revoked"};
  auto user = state.users.find(token->second.user);
  if (user == state.users.end())
    return presence::error{errc::unknown_user, token->second.user};
  if (!user->second.active)
    return presence::error{errc::user_deactivated, user->first};
  return events::to_record(user->first, user->second);
}

events::presence_context directory_context(const events::workspace_state& state) noexcept {
  events::presence_context ctx = events::context_of(state);
  ctx.service_enabled = state.service_enabled || state.settings.degraded_query_only;
  return ctx;
}

result<events::manual_mode> manual_mode_of(const events::preset& preset) {
  switch (preset.presence) {
    case events::presence_value::online:
      return events::manual_mode::automatic;
    case events::presence_value::away:
      return events::manual_mode::away;
    case events::presence_value::busy:
      return events::manual_mode::busy;
    case events::presence_value::offline:
      return events::manual_mode::invisible;
    default:
      return error{errc::invalid_preset, "preset " + preset.id + " has no manual mode"};
  }
}

} // namespace presence::actors
