// users.setStatus, users.getStatus, users.presence (Rocket.Chat-compatible). Status names map to
// manual presence: online -> auto, away -> away, busy -> busy, offline -> invisible.

#include <sstream>
#include <string>
#include <vector>

#include "http/request_params.hpp"
#include "presence/events/validation.hpp"
#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

/// Sets the status text to `message` (the emoji and expiry are kept: Rocket.Chat has neither).
void set_message(const call_ptr& call, const std::string& user, const std::string& message) {
  call->gw.engine.query_async(
    user, std::nullopt, call->guarded([call, user, message](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      const auto& current = view->status;
      auto expiration = message.empty() && current.emoji.empty() ? 0 : current.expiration;
      call->gw.engine.set_status_async(user, message, current.emoji, expiration, call->from(),
                                       call->guarded([call](status st) { call->finish(st); }));
    }));
}

std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> ids;
  std::stringstream in{text};
  std::string id;
  while (std::getline(in, id, ','))
    if (!id.empty())
      ids.push_back(id);
  return ids;
}

} // namespace

void users_set_status(const call_ptr& call) {
  auto target = call->target_user("userId");
  if (!target)
    return;
  auto status_text = http::param_string(call->params, "status");
  auto message = http::param_string(call->params, "message");
  if (!status_text && !message) {
    call->fail(400, "Give status and/or message", "error-invalid-params");
    return;
  }
  std::optional<events::manual_mode> mode;
  if (status_text) {
    mode = manual_from_rc(*status_text);
    if (!mode) {
      call->fail({errc::invalid_presence, *status_text});
      return;
    }
  }
  if (message) {
    if (auto st = events::validate_status_text(*message); !st) {
      call->fail(st.error());
      return;
    }
  }
  auto user = *target;
  if (!mode) {
    set_message(call, user, *message);
    return;
  }
  call->gw.engine.set_presence_async(user, *mode, 0, call->from(),
                                     call->guarded([call, user, message](status st) {
                                       if (!st.ok())
                                         call->fail(st.error());
                                       else if (message)
                                         set_message(call, user, *message);
                                       else
                                         call->ok();
                                     }));
}

void users_get_status(const call_ptr& call) {
  auto user = http::param_string(call->params, "userId").value_or("");
  // Usernames are user ids here: the workspace has no separate username namespace.
  if (user.empty())
    user = http::param_string(call->params, "username").value_or("");
  if (user.empty())
    user = call->caller.id;
  bool self = user == call->caller.id;
  call->gw.engine.query_async(
    user, std::nullopt, call->guarded([call, user, self](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      nlohmann::json body = {{"_id", user},
                             {"message", view->status.text},
                             {"status", rc_status(view->presence)}};
      if (self)
        body["connectionStatus"] = view->online ? (view->auto_away ? "away" : "online") : "offline";
      call->ok(std::move(body));
    }));
}

void users_presence(const call_ptr& call) {
  auto ids = split_ids(http::param_string(call->params, "ids").value_or(""));
  if (ids.empty()) {
    call->fail(400, "ids is required: a comma-separated list of user ids", "error-invalid-params");
    return;
  }
  if (ids.size() > call->gw.config.max_query_ids) {
    call->fail(400, "at most " + std::to_string(call->gw.config.max_query_ids) + " ids",
               "error-invalid-params");
    return;
  }
  call->gw.engine.query_many_async(
    ids, call->guarded(
           [call](result<std::vector<std::pair<std::string, events::presence_value>>> found) {
             if (!found.ok()) {
               call->fail(found.error());
               return;
             }
             auto users = nlohmann::json::array();
             for (const auto& [id, presence] : found.value())
               users.push_back({{"_id", id}, {"status", rc_status(presence)}});
             call->ok({{"users", std::move(users)}, {"full", false}});
           }));
}

} // namespace presence::api::rocketchat
