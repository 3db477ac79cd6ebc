#include "register_types.hpp"

#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

#include "presence/actors/engine_caf.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace {

/// Registers every alternative of a variant under its C++ type's name (the engine's actors only
/// exchange messages between processes of the same build).
template <class... Ts>
void add_each(caf::actor_system_config& config, std::variant<Ts...>*) {
  (config.add_message_type<Ts>(std::string{"presence."} + typeid(Ts).name()), ...);
}

} // namespace

void register_types(caf::actor_system_config& config) {
  using presence_list = std::vector<std::pair<std::string, events::presence_value>>;
  add_each(config, static_cast<engine::request*>(nullptr));
  add_each(config, static_cast<internal_message*>(nullptr));
  config.add_message_type<events::event>("presence.event")
    .add_message_type<std::vector<events::event>>("presence.event_list")
    .add_message_type<events::user_state>("presence.user_state")
    .add_message_type<events::presence_view>("presence.presence_view")
    .add_message_type<events::presence_context>("presence.presence_context")
    .add_message_type<events::custom_status>("presence.custom_status")
    .add_message_type<events::workspace_settings>("presence.workspace_settings")
    .add_message_type<events::user_record>("presence.user_record")
    .add_message_type<std::vector<events::user_record>>("presence.user_record_list")
    .add_message_type<events::preset>("presence.preset")
    .add_message_type<std::vector<events::preset>>("presence.preset_list")
    .add_message_type<events::presence_value>("presence.presence_value")
    .add_message_type<events::manual_mode>("presence.manual_mode")
    .add_message_type<events::disconnect_reason>("presence.disconnect_reason")
    .add_message_type<presence_list>("presence.presence_list")
    .add_message_type<notification>("presence.notification")
    .add_message_type<issued_token>("presence.issued_token")
    .add_message_type<identity>("presence.identity")
    .add_message_type<engine::service_state>("presence.service_state")
    .add_error_category(error_category(), render_error);
}

} // namespace presence::actors

namespace presence {

void register_engine_types(caf::actor_system_config& config) {
  actors::register_types(config);
}

} // namespace presence
