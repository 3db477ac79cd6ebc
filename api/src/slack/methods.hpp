#pragma once

// The Web API methods (Slack-compatible, /api/<method>), one function each. Each answers its call
// exactly once; hot-path methods use the engine's *_async forms, admin methods the blocking pool.

#include "slack/slack_call.hpp"
#include "slack/user_object.hpp"

namespace presence::api::slack {

// presence_methods.cpp
void users_set_presence(const call_ptr& call);
void users_get_presence(const call_ptr& call);
void users_set_active(const call_ptr& call);
// profile_methods.cpp
void users_profile_set(const call_ptr& call);
void users_profile_get(const call_ptr& call);
// directory_methods.cpp
void users_list(const call_ptr& call);
void users_info(const call_ptr& call);
// preference_methods.cpp
void users_prefs_set(const call_ptr& call);
void users_prefs_get(const call_ptr& call);
// session_methods.cpp
void auth_test(const call_ptr& call);
void rtm_connect(const call_ptr& call);
// admin_methods.cpp
void admin_users_create(const call_ptr& call);
void admin_users_deactivate(const call_ptr& call);
void admin_users_set_always_active(const call_ptr& call);
void admin_tokens_issue(const call_ptr& call);
void admin_tokens_revoke(const call_ptr& call);
void admin_settings_get(const call_ptr& call);
void admin_settings_set(const call_ptr& call);
void admin_presence_enable(const call_ptr& call);
void admin_presence_disable(const call_ptr& call);
// audit_methods.cpp
void admin_presence_report(const call_ptr& call);
// preset_methods.cpp
void admin_presets_list(const call_ptr& call);
void admin_presets_create(const call_ptr& call);
void admin_presets_update(const call_ptr& call);
void admin_presets_delete(const call_ptr& call);
// cluster_methods.cpp
void admin_cluster_info(const call_ptr& call);
void admin_cluster_locate(const call_ptr& call);
// backup_methods.cpp
void admin_backups_create(const call_ptr& call);
void admin_backups_list(const call_ptr& call);

} // namespace presence::api::slack
