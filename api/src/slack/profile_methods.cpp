// users.profile.set and users.profile.get: the custom status part of a Slack profile
// (status_text, status_emoji, status_expiration). Other profile fields are accepted and ignored.
// A partial update is merged inside the user's actor (command::update_status), never here.

#include <optional>
#include <string>

#include "slack/methods.hpp"

namespace presence::api::slack {

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

/// Sets the status `args` names (or the preset it picks) and answers the profile in force.
void set_profile(const call_ptr& call, const profile_set_args& args) {
  const auto& user = args.user;
  if (args.preset) {
    call->gw.engine.run_async(command::apply_preset{user, *args.preset, call->from()},
                              call->guarded([call, user](status st) {
                                if (st.ok())
                                  answer_profile(call, user);
                                else
                                  call->fail(st.error());
                              }));
    return;
  }
  // Fields not named keep their value: the user actor merges them into the status in force.
  const auto& update = args.update;
  std::optional<events::unix_seconds> expiration;
  if (update.expiration)
    expiration = events::from_unix(*update.expiration);
  call->gw.engine.run_async(
    command::update_status{user, update.text, update.emoji, expiration, call->from()},
    call->guarded([call](result<events::custom_status> now) {
      if (now.ok())
        call->ok({{"profile", profile_json(*now)}});
      else
        call->fail(now.error());
    }));
}

} // namespace

void users_profile_set(const call_ptr& call) {
  auto args = call->accept(parse_profile_set(call->params, call->caller, http::gateway::now_us()));
  if (!args)
    return;
  if (args->user == call->caller.id) {
    set_profile(call, *args);
    return;
  }
  // An admin aiming at someone else: a bot has no profile, so nothing is set (nor logged).
  call->gw.engine.run_async(
    command::user_info{args->user},
    call->guarded([call, args = *args](result<events::user_record> target) {
      if (!target.ok())
        call->fail(target.error());
      else if (target->bot)
        call->fail("not_allowed_token_type", "a bot has no profile");
      else
        set_profile(call, args);
    }));
}

void users_profile_get(const call_ptr& call) {
  answer_profile(call, user_or_caller(call->params, call->caller));
}

} // namespace presence::api::slack
