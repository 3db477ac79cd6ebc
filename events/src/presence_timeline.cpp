#include "presence/events/presence_timeline.hpp"

#include <algorithm>
#include <string>

#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::events {

std::vector<presence_segment> presence_timeline(std::string_view user,
                                                const std::vector<event>& log_events,
                                                timestamp_us start, timestamp_us end) {
  timeline_base base;
  base.user.id = std::string(user);
  return presence_timeline(base, log_events, start, end);
}

std::vector<presence_segment> presence_timeline(const timeline_base& base,
                                                const std::vector<event>& log_events,
                                                timestamp_us start, timestamp_us end) {
  constexpr timestamp_us micros_per_second = 1'000'000;
  user_state state = base.user;
  // Only the settings and the switch matter to the context (as storage::context_at folds it).
  workspace_state workspace;
  workspace.service_enabled = base.context.service_enabled;
  workspace.settings.idle_timeout = base.context.default_idle_timeout;
  workspace.settings.mobile_idle_timeout = base.context.mobile_idle_timeout;
  std::size_t next_event = 0;
  const auto fold_until = [&](timestamp_us t) {
    for (; next_event < log_events.size() && log_events[next_event].ts <= t; ++next_event) {
      const auto& e = log_events[next_event];
      if (e.stream == workspace_stream)
        apply(workspace, e);
      else
        apply(state, e);
    }
  };
  std::vector<presence_segment> segments;
  fold_until(start);
  for (timestamp_us t = start; t < end;) {
    const presence_context ctx = context_of(workspace);
    const auto presence = evaluate(state, ctx, t).presence;
    timestamp_us next = end;
    const auto consider = [&next, t](timestamp_us candidate) {
      if (candidate > t)
        next = std::min(next, candidate);
    };
    if (next_event < log_events.size())
      consider(log_events[next_event].ts);
    // next_deadline answers t+1 for a deadline already passed (the live actor would log it
    // now); the replay applies it in `evaluate` instead, so only a future one is a change point.
    if (auto deadline = next_deadline(state, ctx, t); deadline && due_events(state, ctx, t).empty())
      consider(*deadline);
    if (!state.connections.empty())
      consider(state.last_activity + effective_idle_timeout(state, ctx) * micros_per_second);
    if (state.manual_until != 0)
      consider(state.manual_until);
    if (!segments.empty() && segments.back().presence == presence)
      segments.back().to = next;
    else
      segments.push_back({t, next, presence});
    t = next;
    fold_until(t);
  }
  return segments;
}

} // namespace presence::events
