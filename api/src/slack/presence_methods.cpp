// users.setPresence and users.getPresence (Slack-compatible, with the busy/invisible, expiration
// and `at` extensions of DESIGN §5).

#include <optional>
#include <string>

#include "http/request_params.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

constexpr int64_t us_per_s = 1'000'000;

/// `name` as Unix seconds (fractions allowed) in µs; answers invalid_arguments and returns false
/// when the parameter is present but malformed.
bool unix_seconds_param(const call_ptr& call, const char* name, std::optional<int64_t>& out_us) {
  bool malformed = false;
  out_us = http::param_unix_us(call->params, name, &malformed);
  if (malformed)
    call->fail("invalid_arguments", std::string(name) + " must be Unix seconds");
  return !malformed;
}

} // namespace

void users_set_presence(const call_ptr& call) {
  auto target = call->target_user();
  if (!target)
    return;
  auto presence = http::param_string(call->params, "presence");
  if (!presence) {
    call->fail("invalid_presence", "presence is required: auto, away, busy or invisible");
    return;
  }
  auto mode = events::parse_manual_mode(*presence);
  if (!mode) {
    call->fail("invalid_presence", "presence must be auto, away, busy or invisible");
    return;
  }
  std::optional<int64_t> until;
  if (!unix_seconds_param(call, "expiration", until))
    return;
  if (until && *until != 0) {
    if (*mode == events::manual_mode::automatic) {
      call->fail("invalid_arguments", "expiration applies to away, busy and invisible only");
      return;
    }
    if (*until <= http::gateway::now_us()) {
      call->fail("expiration_in_past");
      return;
    }
  }
  call->gw.engine.set_presence_async(*target, *mode, until.value_or(0), call->from(),
                                     call->guarded([call](status st) { call->finish(st); }));
}

void users_get_presence(const call_ptr& call) {
  auto user = http::param_string(call->params, "user").value_or("");
  if (user.empty())
    user = call->caller.id;
  std::optional<int64_t> at;
  if (!unix_seconds_param(call, "at", at))
    return;
  if (at && *at > http::gateway::now_us()) {
    call->fail("invalid_arguments", "at must not be in the future");
    return;
  }
  bool self = user == call->caller.id;
  call->gw.engine.query_async(
    user, at, call->guarded([call, self](result<events::presence_view> view) {
      if (!view.ok()) {
        call->fail(view.error());
        return;
      }
      nlohmann::json body = {{"presence", slack_presence(view->presence)}};
      // Another user's presence reveals only `presence`, as Slack's does.
      if (self) {
        body["online"] = view->online;
        body["auto_away"] = view->auto_away;
        body["manual_away"] = view->manual_away;
        body["connection_count"] = view->connection_count;
        body["last_activity"] = view->last_activity / us_per_s;
        body["manual_presence"] = std::string(events::to_string(view->manual));
      }
      call->ok(std::move(body));
    }));
}

} // namespace presence::api::slack
