// users.setStatus, users.getStatus, users.presence (Rocket.Chat-compatible). Status names map to
// manual presence: online -> auto, away -> away, busy -> busy, offline -> invisible. A dot shows
// an always-active bot online.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

/// Sets the status text to `message` (the emoji and expiry are kept: Rocket.Chat has neither).
void set_message(const call_ptr& call, const std::string& user, const std::string& message) {
  call->gw.engine.run_async(
    command::query{user, std::nullopt},
    call->guarded([call, user, message](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      const auto& current = view->status;
      auto expiration = message.empty() && current.emoji.empty() ? 0 : current.expiration;
      call->gw.engine.run_async(command::set_status{user, message, current.emoji,
                                                    events::unix_or_none(expiration), call->from()},
                                call->guarded([call](status st) { call->finish(st); }));
    }));
}

/// Sets the manual presence, then the message when there is one: two events.
void set_mode_and_message(const call_ptr& call, const set_status_args& args) {
  auto user = args.user;
  auto message = args.message;
  call->gw.engine.run_async(command::set_presence{user, *args.mode, std::nullopt, call->from()},
                            call->guarded([call, user, message](status st) {
                              if (!st.ok())
                                call->fail(st.error());
                              else if (message)
                                set_message(call, user, *message);
                              else
                                call->ok();
                            }));
}

/// The id of the preset whose name is `message` and whose presence is `type`, as Rocket.Chat's
/// client sends a custom status picked from its menu; empty when there is none.
std::string preset_picked(const std::vector<events::preset>& presets, const std::string& message,
                          events::presence_value type) {
  for (const auto& preset : presets)
    if (preset.name == message && preset.presence == type)
      return preset.id;
  return {};
}

} // namespace

void users_set_status(const call_ptr& call) {
  auto args = call->accept(parse_set_status(call->params, call->caller));
  if (!args)
    return;
  if (!args->mode) {
    set_message(call, args->user, *args->message);
    return;
  }
  if (!args->message || !args->preset_type) {
    set_mode_and_message(call, *args);
    return;
  }
  // A status and a message naming a custom status: apply that preset, in one event.
  call->blocking([call, args = *args] {
    auto presets = call->presets_or_fail();
    if (!presets)
      return;
    auto id = preset_picked(*presets, *args.message, *args.preset_type);
    if (id.empty()) {
      set_mode_and_message(call, args);
      return;
    }
    call->finish(call->gw.engine.run(command::apply_preset{args.user, id, call->from()}));
  });
}

namespace {

/// What a dot shows for `id`: an always-active bot is online whatever its presence (Slack's
/// `presence` field stays `away`; clients draw the dot from `always_active`). While the service
/// is off every presence reads `disabled`, a bot's too.
const char* dot_status(const events::user_record& user, events::presence_value presence) {
  if (user.bot && user.always_active && user.active &&
      presence != events::presence_value::disabled)
    return rc_status(events::presence_value::online);
  return rc_status(presence);
}

/// The presences of one users.presence answer, each passed through `dot_status` once its record
/// is in (from whichever CAF worker answers last).
struct presence_join {
  std::mutex mutex;
  nlohmann::json users = nlohmann::json::array();
  std::size_t left = 0;
};

} // namespace

void users_get_status(const call_ptr& call) {
  auto user = parse_get_status_user(call->params, call->caller);
  bool self = user == call->caller.id;
  call->gw.engine.run_async(
    command::query{user, std::nullopt},
    call->guarded([call, user, self](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      call->gw.engine.run_async(
        command::user_info{user},
        call->guarded([call, user, self, view = *view](result<events::user_record> record) {
          if (!record.ok()) {
            call->fail(record.error());
            return;
          }
          nlohmann::json body = {{"_id", user},
                                 {"message", view.status.text},
                                 {"status", dot_status(*record, view.presence)}};
          if (self)
            body["connectionStatus"] =
              view.online ? (view.auto_away ? "away" : "online") : "offline";
          if (view.presence == events::presence_value::disabled)
            body["presenceService"] = call->gw.service.describe();
          call->ok(std::move(body));
        }));
    }));
}

void users_presence(const call_ptr& call) {
  auto ids = call->accept(parse_presence_ids(call->params, call->gw.config.max_query_ids));
  if (!ids)
    return;
  call->gw.engine.query_many_async(
    *ids, call->guarded(
            [call](result<std::vector<std::pair<std::string, events::presence_value>>> found) {
              if (!found.ok()) {
                call->fail(found.error());
                return;
              }
              auto join = std::make_shared<presence_join>();
              join->left = found->size();
              bool disabled = false;
              for (const auto& [id, presence] : found.value()) {
                join->users.push_back({{"_id", id}, {"status", rc_status(presence)}});
                disabled = disabled || presence == events::presence_value::disabled;
              }
              // While the service is off every presence reads disabled: say why.
              auto why = disabled ? call->gw.service.describe() : nlohmann::json{};
              auto answer = [call, join, why] {
                nlohmann::json body{{"users", std::move(join->users)}, {"full", false}};
                if (!why.is_null())
                  body["presenceService"] = why;
                call->ok(std::move(body));
              };
              if (join->left == 0)
                return answer();
              for (std::size_t i = 0; i < found->size(); ++i) {
                auto presence = (*found)[i].second;
                call->gw.engine.run_async(
                  command::user_info{(*found)[i].first},
                  call->guarded([join, i, presence, answer](result<events::user_record> record) {
                    std::lock_guard<std::mutex> guard{join->mutex};
                    if (record.ok())
                      join->users[i]["status"] = dot_status(*record, presence);
                    if (--join->left == 0)
                      answer();
                  }));
              }
            }));
}

} // namespace presence::api::rocketchat
