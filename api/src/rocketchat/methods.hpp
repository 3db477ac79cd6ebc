#pragma once

// The REST endpoints (Rocket.Chat-compatible, /api/v1/<method>), one function each. Each answers
// its call exactly once.

#include "rocketchat/rc_call.hpp"

namespace presence::api::rocketchat {

// status_methods.cpp
void users_set_status(const call_ptr& call);
void users_get_status(const call_ptr& call);
void users_presence(const call_ptr& call);
// preference_methods.cpp
void users_set_preferences(const call_ptr& call);
void users_get_preferences(const call_ptr& call);
// custom_status_methods.cpp
void custom_user_status_list(const call_ptr& call);
void custom_user_status_create(const call_ptr& call);
void custom_user_status_update(const call_ptr& call);
void custom_user_status_delete(const call_ptr& call);
// service_methods.cpp
void presence_get_connections(const call_ptr& call);
void presence_enable_broadcast(const call_ptr& call);
/// settings/Troubleshoot_Disable_Presence_Broadcast: GET `{_id, value}` (true while the service
/// is off, whatever the reason); POST `{value}` turns it off (reason `admin`) or on (refused at
/// the connection limit).
void settings_get_disable_broadcast(const call_ptr& call);
void settings_set_disable_broadcast(const call_ptr& call);

} // namespace presence::api::rocketchat
