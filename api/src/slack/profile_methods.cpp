// users.profile.set and users.profile.get: the custom status part of a Slack profile
// (status_text, status_emoji, status_expiration). Other profile fields are accepted and ignored.

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
  // Fields not named keep their value: read the current status, then write the merged one.
  call->gw.engine.run_async(
    command::query{user, std::nullopt},
    call->guarded([call, user, update = args->update](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      if (update.empty()) {
        call->ok({{"profile", profile_json(view->status)}});
        return;
      }
      events::custom_status next = view->status;
      next.text = update.text.value_or(next.text);
      next.emoji = update.emoji.value_or(next.emoji);
      next.expiration = update.expiration.value_or(next.expiration);
      if (next.empty())
        next.expiration = 0; // clearing the status clears its expiry too
      call->gw.engine.run_async(command::set_status{user, next.text, next.emoji,
                                                    events::unix_or_none(next.expiration),
                                                    call->from()},
                                call->guarded([call, next](status st) {
                                  if (st.ok())
                                    call->ok({{"profile", profile_json(next)}});
                                  else
                                    call->fail(st.error());
                                }));
    }));
}

void users_profile_get(const call_ptr& call) {
  answer_profile(call, user_or_caller(call->params, call->caller));
}

} // namespace presence::api::slack
