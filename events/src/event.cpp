#include "presence/events/event.hpp"

#include <array>
#include <utility>

namespace presence::events {

namespace {

template <class Enum>
using name_entry = std::pair<Enum, std::string_view>;

constexpr std::array<name_entry<event_type>, 22> event_type_names{{
  {event_type::connected, "connected"},
  {event_type::disconnected, "disconnected"},
  {event_type::activity, "activity"},
  {event_type::away, "away"},
  {event_type::presence_set, "presence_set"},
  {event_type::presence_expired, "presence_expired"},
  {event_type::status_set, "status_set"},
  {event_type::status_expired, "status_expired"},
  {event_type::preferences_set, "preferences_set"},
  {event_type::user_created, "user_created"},
  {event_type::user_deactivated, "user_deactivated"},
  {event_type::token_issued, "token_issued"},
  {event_type::token_revoked, "token_revoked"},
  {event_type::setting_changed, "setting_changed"},
  {event_type::preset_created, "preset_created"},
  {event_type::preset_updated, "preset_updated"},
  {event_type::preset_deleted, "preset_deleted"},
  {event_type::service_disabled, "service_disabled"},
  {event_type::service_enabled, "service_enabled"},
  {event_type::epoch_started, "epoch_started"},
  {event_type::preset_applied, "preset_applied"},
  {event_type::always_active_set, "always_active_set"},
}};

constexpr std::array<name_entry<presence_value>, 5> presence_value_names{{
  {presence_value::online, "online"},
  {presence_value::away, "away"},
  {presence_value::busy, "busy"},
  {presence_value::offline, "offline"},
  {presence_value::disabled, "disabled"},
}};

constexpr std::array<name_entry<manual_mode>, 4> manual_mode_names{{
  {manual_mode::automatic, "auto"},
  {manual_mode::away, "away"},
  {manual_mode::busy, "busy"},
  {manual_mode::invisible, "invisible"},
}};

constexpr std::array<name_entry<disconnect_reason>, 7> disconnect_reason_names{{
  {disconnect_reason::closed, "closed"},
  {disconnect_reason::timeout, "timeout"},
  {disconnect_reason::server_restart, "server_restart"},
  {disconnect_reason::kicked, "kicked"},
  {disconnect_reason::token_revoked, "token_revoked"},
  {disconnect_reason::account_inactive, "account_inactive"},
  {disconnect_reason::node_lost, "node_lost"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<name_entry<Enum>, N>& table, Enum value) noexcept {
  for (const auto& [candidate, name] : table)
    if (candidate == value)
      return name;
  return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<name_entry<Enum>, N>& table,
                             std::string_view name) noexcept {
  for (const auto& [value, candidate] : table)
    if (candidate == name)
      return value;
  return std::nullopt;
}

} // namespace

event_type type_of(const payload& body) noexcept {
  // The variant's alternatives are listed in the same order as `event_type_names`.
  static_assert(std::variant_size_v<payload> == event_type_names.size());
  return event_type_names[body.index()].first;
}

std::string_view to_string(event_type type) noexcept {
  return name_of(event_type_names, type);
}

std::optional<event_type> parse_event_type(std::string_view name) noexcept {
  return value_of(event_type_names, name);
}

std::string_view to_string(presence_value value) noexcept {
  return name_of(presence_value_names, value);
}

std::optional<presence_value> parse_presence_value(std::string_view name) noexcept {
  return value_of(presence_value_names, name);
}

std::string_view to_string(manual_mode mode) noexcept {
  return name_of(manual_mode_names, mode);
}

std::optional<manual_mode> parse_manual_mode(std::string_view name) noexcept {
  return value_of(manual_mode_names, name);
}

std::string_view to_string(disconnect_reason reason) noexcept {
  return name_of(disconnect_reason_names, reason);
}

std::optional<disconnect_reason> parse_disconnect_reason(std::string_view name) noexcept {
  return value_of(disconnect_reason_names, name);
}

bool is_user_event(event_type type) noexcept {
  return static_cast<uint8_t>(type) >= static_cast<uint8_t>(event_type::connected)
         && static_cast<uint8_t>(type) <= static_cast<uint8_t>(event_type::preset_applied);
}

} // namespace presence::events
