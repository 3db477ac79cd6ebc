// users.setPresence and users.getPresence (Slack-compatible, with the busy/invisible, expiration
// and `at` extensions of docs/design.md §5).

#include <cstdint>
#include <string>

#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

constexpr int64_t us_per_s = 1'000'000;

/// Answers `args` from the engine (the caller may ask).
void answer_presence(const call_ptr& call, const get_presence_args& args) {
  bool self = args.user == call->caller.id;
  bool now = !args.at;
  call->gw.engine.run_async(command::query{args.user, args.at},
                            call->guarded([call, self, now](result<events::presence_view> view) {
                              if (!view.ok()) {
                                call->fail(view.error());
                                return;
                              }
                              nlohmann::json body = {{"presence", slack_presence(view->presence)}};
                              // Why it reads `disabled` now (a past instant's reason is in the
                              // log: presencectl history).
                              if (now && view->presence == events::presence_value::disabled)
                                body["presence_service"] = call->gw.service.describe();
                              // Another user's presence reveals only `presence`, as Slack's does.
                              if (self) {
                                body["online"] = view->online;
                                body["auto_away"] = view->auto_away;
                                body["manual_away"] = view->manual_away;
                                body["connection_count"] = view->connection_count;
                                body["last_activity"] = view->last_activity / us_per_s;
                                body["manual_presence"] =
                                  std::string(events::to_string(view->manual));
                              }
                              call->ok(std::move(body));
                            }));
}

} // namespace

void users_set_presence(const call_ptr& call) {
  auto args = call->accept(parse_set_presence(call->params, call->caller, http::gateway::now_us()));
  if (!args)
    return;
  call->gw.engine.run_async(
    command::set_presence{args->user, args->mode, args->until, call->from()},
    call->guarded([call](status st) { call->finish(st); }));
}

void users_set_active(const call_ptr& call) {
  call->gw.engine.run_async(command::activity{call->caller.id, {}, call->from()},
                            call->guarded([call](status st) { call->finish(st); }));
}

void users_get_presence(const call_ptr& call) {
  auto args = call->accept(parse_get_presence(call->params, call->caller, http::gateway::now_us()));
  if (!args)
    return;
  if (!args->at || args->user == call->caller.id || call->caller.admin) {
    answer_presence(call, *args);
    return;
  }
  // Another user's presence in the past: the workspace's `presence_history` decides (off by
  // default). The setting is read when asked, so a change applies to the next request.
  call->blocking([call, args = *args] {
    auto settings = call->gw.engine.settings();
    if (!settings.ok()) {
      call->fail(settings.error());
      return;
    }
    if (!settings->history_of_others) {
      call->fail("no_permission", "the presence of other users at a past instant is only for "
                                  "admins (workspace setting presence_history = self)");
      return;
    }
    answer_presence(call, args);
  });
}

} // namespace presence::api::slack
