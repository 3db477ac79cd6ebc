#include "register_types.hpp"

#include <utility>
#include <vector>

namespace presence::actors {

void register_types(caf::actor_system_config& config) {
  using presence_list = std::vector<std::pair<std::string, events::presence_value>>;
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
    .add_message_type<engine::service_state>("presence.service_state")
    .add_error_category(error_category(), render_error);
}

} // namespace presence::actors

void presence::engine::register_types(caf::actor_system_config& config) {
  actors::register_types(config);
}
