// users.prefs.get and users.prefs.set: a user's presence preferences (auto-away on/off, own idle
// timeout). This server's own methods, beside Slack's users.* (Slack has no public equivalent).

#include "http/preferences.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

nlohmann::json prefs_json(const http::user_preferences& prefs) {
  return {{"auto_away", prefs.auto_away},
          {"idle_timeout", prefs.idle_timeout.count()},
          {"idle_timeout_in_force", prefs.in_force.count()}};
}

} // namespace

void users_prefs_set(const call_ptr& call) {
  auto change = call->accept(parse_prefs_set(call->params, call->caller));
  if (!change)
    return;
  call->blocking([call, change = *change] {
    auto prefs = http::update_preferences(call->gw.engine, change, call->from());
    if (prefs.ok())
      call->ok({{"prefs", prefs_json(*prefs)}});
    else
      call->fail(prefs.error());
  });
}

void users_prefs_get(const call_ptr& call) {
  auto user = call->accept(parse_target_user(call->params, call->caller));
  if (!user)
    return;
  call->blocking([call, user = *user] {
    auto prefs = http::read_preferences(call->gw.engine, user);
    if (prefs.ok())
      call->ok({{"prefs", prefs_json(*prefs)}});
    else
      call->fail(prefs.error());
  });
}

} // namespace presence::api::slack
