// users.setPreferences and users.getPreferences: the presence preferences of Rocket.Chat's
// "User Presence" (enableAutoAway, idleTimeLimit in seconds).

#include "http/preferences.hpp"
#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

nlohmann::json preferences_json(const http::user_preferences& prefs) {
  return {{"enableAutoAway", prefs.auto_away}, {"idleTimeLimit", prefs.in_force.count()}};
}

} // namespace

void users_set_preferences(const call_ptr& call) {
  auto change = call->accept(parse_set_preferences(call->params, call->caller));
  if (!change)
    return;
  call->blocking([call, change = *change] {
    auto prefs = http::update_preferences(call->gw.engine, change, call->from());
    if (!prefs.ok()) {
      call->fail(prefs.error());
      return;
    }
    call->ok({{"user",
               {{"_id", change.user}, {"settings", {{"preferences", preferences_json(*prefs)}}}}}});
  });
}

void users_get_preferences(const call_ptr& call) {
  auto user = call->accept(parse_target_user(call->params, "userId", call->caller));
  if (!user)
    return;
  call->blocking([call, user = *user] {
    auto prefs = http::read_preferences(call->gw.engine, user);
    if (prefs.ok())
      call->ok({{"preferences", preferences_json(*prefs)}});
    else
      call->fail(prefs.error());
  });
}

} // namespace presence::api::rocketchat
