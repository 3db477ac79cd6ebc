// admin.users.*, admin.tokens.*, admin.settings.*, admin.presence.enable / disable. The dispatcher already
// refused non-admins (not_admin); each method runs the engine's blocking form on the blocking pool.

#include <algorithm>
#include <cctype>
#include <string>

#include "http/request_params.hpp"
#include "rtm/rtm_session.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

nlohmann::json user_json(const events::user_record& user) {
  nlohmann::json out = {{"id", user.id},
                        {"name", user.name},
                        {"is_admin", user.admin},
                        {"is_bot", user.bot},
                        {"deleted", !user.active}};
  if (user.bot)
    out["profile"] = {{"always_active", user.always_active}};
  return out;
}

/// A setting's text as JSON: integers as numbers, true/false as booleans, the rest as strings.
nlohmann::json setting_value(const std::string& text) {
  if (text == "true" || text == "false")
    return text == "true";
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits)
    return std::stoll(text);
  return text;
}

nlohmann::json settings_json(const events::workspace_settings& settings) {
  auto out = nlohmann::json::object();
  for (const auto& [key, value] : events::list_settings(settings))
    out[key] = setting_value(value);
  return out;
}

/// Answers {"settings":{…}} with the settings as they are now.
void answer_settings(const call_ptr& call) {
  auto settings = call->gw.engine.settings();
  if (settings.ok())
    call->ok({{"settings", settings_json(settings.value())}});
  else
    call->fail(settings.error());
}

/// After a revocation or deactivation: no cached identity outlives it, and the real-time sockets
/// it opened are closed (only `user`'s when not empty).
void enforce_revocation(const call_ptr& call, const std::string& user) {
  auto& auth = call->gw.auth;
  auth.forget_all();
  rtm::close_revoked_sessions([&auth](const std::string& token_id) {
                                return auth.check_token_now(token_id);
                              },
                              user);
}

} // namespace

void admin_users_create(const call_ptr& call) {
  auto args = call->accept(parse_create_user(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    auto& engine = call->gw.engine;
    auto user = engine.run(command::create_user{args.id, args.name, args.admin, call->from(),
                                                args.bot});
    if (!user.ok()) {
      call->fail(user.error().code == errc::invalid_user_id
                   ? presence::error{errc::invalid_argument, user.error().message}
                   : user.error());
      return;
    }
    auto token = engine.issue_token(args.id, call->from());
    if (!token.ok()) {
      call->fail(token.error());
      return;
    }
    call->ok({{"user", user_json(user.value())},
              {"token", token->secret},
              {"token_id", token->id}});
  });
}

void admin_users_deactivate(const call_ptr& call) {
  auto user = call->accept(parse_required(call->params, "user"));
  if (!user)
    return;
  call->blocking([call, user = *user] {
    auto st = call->gw.engine.deactivate_user(user, call->from());
    if (!st.ok()) {
      call->fail(st.error());
      return;
    }
    enforce_revocation(call, user);
    call->ok();
  });
}

void admin_tokens_issue(const call_ptr& call) {
  auto user = call->accept(parse_required(call->params, "user"));
  if (!user)
    return;
  call->blocking([call, user = *user] {
    auto token = call->gw.engine.issue_token(user, call->from());
    if (token.ok())
      call->ok({{"token", token->secret}, {"token_id", token->id}, {"user", token->user}});
    else
      call->fail(token.error());
  });
}

void admin_tokens_revoke(const call_ptr& call) {
  auto token_id = call->accept(parse_required(call->params, "token_id"));
  if (!token_id)
    return;
  call->blocking([call, token_id = *token_id] {
    auto st = call->gw.engine.revoke_token(token_id, call->from());
    if (!st.ok()) {
      call->fail(st.error());
      return;
    }
    enforce_revocation(call, {});
    call->ok();
  });
}

void admin_users_set_always_active(const call_ptr& call) {
  auto args = call->accept(parse_set_always_active(call->params));
  if (!args)
    return;
  call->gw.engine.run_async(
    command::set_always_active{args->user, args->always_active, call->from()},
    call->guarded([call](status st) { call->finish(st); }));
}

void admin_settings_get(const call_ptr& call) {
  call->blocking([call] { answer_settings(call); });
}

void admin_settings_set(const call_ptr& call) {
  auto changes = call->accept(parse_settings_set(call->params));
  if (!changes)
    return;
  call->blocking([call, changes = *changes] {
    // Applied in order; the first refused change stops the rest (earlier ones stay applied).
    for (const auto& [key, value] : changes) {
      if (auto st = call->gw.engine.set_setting(key, value, call->from()); !st) {
        call->fail(st.error());
        return;
      }
    }
    answer_settings(call);
  });
}

void admin_presence_enable(const call_ptr& call) {
  call->blocking([call] {
    call->finish(call->gw.engine.enable_service(call->from()));
  });
}

void admin_presence_disable(const call_ptr& call) {
  call->blocking([call] {
    call->finish(call->gw.engine.disable_service(call->from()));
  });
}

} // namespace presence::api::slack
