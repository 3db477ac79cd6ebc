// users.profile.set and users.profile.get: the custom status part of a Slack profile
// (status_text, status_emoji, status_expiration). Other profile fields are accepted and ignored.
// A partial update is merged inside the user's actor (command::update_status), never here.

#include <optional>
#include <string>

#include "slack/methods.hpp"

namespace presence::api::slack {

nlohmann::json profile_json(const events::custom_status& status) {
  return {{"status_text", status.text},
          {"status_emoji", status.emoji},
          {"status_expiration", status.expiration}};
}

namespace {

/// Answers the profile of `user` as it is now.
void answer_profile(const call_ptr& call, const std::string& user) {
  call->gw.engine.run_async(command::query{user, std::nullopt},
                            call->guarded([call](result<events::presence_view> view) {
                              if (view.ok())
                                call->ok({{"profile", profile_json(view->status)}});
                              else
                                call->fail(view.error());
                            }));
}

} // namespace

void users_profile_set(const call_ptr& call) {
  auto args = call->accept(parse_profile_set(call->params, call->caller, http::gateway::now_us()));
  if (!args)
    return;
  auto user = args->user;
  if (args->preset) {
    call->gw.engine.run_async(command::apply_preset{user, *args->preset, call->from()},
                              call->guarded([call, user](status st) {
                                if (st.ok())
                                  answer_profile(call, user);
                                else
                                  call->fail(st.error());
                              }));
    return;
  }
  // Fields not named keep their value: the user actor merges them into the status in force.
  const auto& update = args->update;
  std::optional<events::unix_seconds> expiration;
  if (update.expiration)
    expiration = events::from_unix(*update.expiration);
  call->gw.engine.run_async(
    command::update_status{args->user, update.text, update.emoji, expiration, call->from()},
    call->guarded([call](result<events::custom_status> now) {
      if (now.ok())
        call->ok({{"profile", profile_json(*now)}});
      else
        call->fail(now.error());
    }));
}

void users_profile_get(const call_ptr& call) {
  answer_profile(call, user_or_caller(call->params, call->caller));
}

} // namespace presence::api::slack
