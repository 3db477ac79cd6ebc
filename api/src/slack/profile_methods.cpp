// users.profile.set and users.profile.get: the custom status part of a Slack profile
// (status_text, status_emoji, status_expiration). Other profile fields are accepted and ignored.

#include <optional>
#include <string>

#include "http/request_params.hpp"
#include "presence/events/validation.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

/// The status fields a profile update names; absent ones keep their current value.
struct status_update {
  std::optional<std::string> text;
  std::optional<std::string> emoji;
  std::optional<int64_t> expiration;
  bool empty() const { return !text && !emoji && !expiration; }
};

nlohmann::json profile_json(const events::custom_status& status) {
  return {{"status_text", status.text},
          {"status_emoji", status.emoji},
          {"status_expiration", status.expiration}};
}

/// Reads one field into `update`; false (with `why`) when its value has the wrong type.
bool read_field(const std::string& name, const nlohmann::json& value, status_update& update,
                std::string& why) {
  if (name == "status_text" || name == "status_emoji") {
    if (!value.is_string() && !value.is_null()) {
      why = name + " must be a string";
      return false;
    }
    auto text = value.is_null() ? std::string{} : value.get<std::string>();
    (name == "status_text" ? update.text : update.emoji) = std::move(text);
  } else if (name == "status_expiration") {
    bool malformed = false;
    auto wrapped = nlohmann::json{{"v", value}};
    auto seconds = http::param_int(wrapped, "v", &malformed);
    if (malformed || (seconds && *seconds < 0)) {
      why = "status_expiration must be Unix seconds";
      return false;
    }
    update.expiration = seconds.value_or(0);
  }
  // Any other profile field (real_name, title…) is not ours to store: accepted, ignored.
  return true;
}

/// The update a users.profile.set call asks for: `profile` (object or JSON text) or `name`+`value`.
/// nullopt after answering invalid_profile.
std::optional<status_update> read_update(const call_ptr& call) {
  status_update update;
  std::string why;
  auto it = call->params.find("profile");
  if (it != call->params.end() && !it->is_null()) {
    nlohmann::json profile = *it;
    if (profile.is_string()) {
      profile = nlohmann::json::parse(it->get<std::string>(), nullptr, false);
      if (profile.is_discarded()) {
        call->fail("invalid_profile", "profile is not valid JSON (URL-encode it in form bodies)");
        return std::nullopt;
      }
    }
    if (!profile.is_object()) {
      call->fail("invalid_profile", "profile must be a JSON object");
      return std::nullopt;
    }
    for (const auto& [name, value] : profile.items()) {
      if (!read_field(name, value, update, why)) {
        call->fail("invalid_profile", why);
        return std::nullopt;
      }
    }
    return update;
  }
  auto name = http::param_string(call->params, "name");
  if (!name) {
    call->fail("invalid_profile", "give profile, or name and value");
    return std::nullopt;
  }
  auto value = call->params.contains("value") ? call->params["value"] : nlohmann::json("");
  if (!read_field(*name, value, update, why)) {
    call->fail("invalid_profile", why);
    return std::nullopt;
  }
  return update;
}

/// Checks the named fields with the domain's rules; answers and returns false on a bad one.
bool validate(const call_ptr& call, const status_update& update) {
  status st;
  if (update.text)
    st = events::validate_status_text(*update.text);
  if (st.ok() && update.emoji)
    st = events::validate_emoji(*update.emoji);
  if (st.ok() && update.expiration)
    st = events::validate_expiration(*update.expiration, http::gateway::now_us());
  if (!st.ok())
    call->fail(st.error());
  return st.ok();
}

} // namespace

void users_profile_set(const call_ptr& call) {
  auto target = call->target_user();
  if (!target)
    return;
  auto update = read_update(call);
  if (!update || !validate(call, *update))
    return;
  // Fields not named keep their value: read the current status, then write the merged one.
  auto user = *target;
  call->gw.engine.query_async(
    user, std::nullopt,
    call->guarded([call, user, update = *update](result<events::presence_view> view) {
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
        next.expiration = 0;  // clearing the status clears its expiry too
      call->gw.engine.set_status_async(user, next.text, next.emoji, next.expiration, call->from(),
                                       call->guarded([call, next](status st) {
                                         if (st.ok())
                                           call->ok({{"profile", profile_json(next)}});
                                         else
                                           call->fail(st.error());
                                       }));
    }));
}

void users_profile_get(const call_ptr& call) {
  auto user = http::param_string(call->params, "user").value_or("");
  if (user.empty())
    user = call->caller.id;
  call->gw.engine.query_async(user, std::nullopt,
                              call->guarded([call](result<events::presence_view> view) {
                                if (view.ok())
                                  call->ok({{"profile", profile_json(view->status)}});
                                else
                                  call->fail(view.error());
                              }));
}

} // namespace presence::api::slack
