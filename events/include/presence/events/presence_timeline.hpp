#pragma once

// A user's presence over a span of time, replayed from the log: the stretches of constant
// presence, for reports and audit views. Pure: the events are given, nothing is read.

#include <string_view>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/user_state.hpp"

namespace presence::events {

/// One stretch of constant presence, [from, to) in µs since the Unix epoch.
struct presence_segment {
  timestamp_us from = 0;
  timestamp_us to = 0;
  presence_value presence = presence_value::offline;
};

/// Where a timeline's fold starts: the user's state and the workspace's presence context before
/// the first of the events given. A fresh user and the default context are the log's beginning.
struct timeline_base {
  user_state user;
  presence_context context;
};

/// The presence of `base.user.id` over [start, end): `log_events` are the user's and the
/// workspace's events after `base` and before `end`, merged in sequence order. Otherwise as the
/// overload below.
std::vector<presence_segment> presence_timeline(const timeline_base& base,
                                                const std::vector<event>& log_events,
                                                timestamp_us start, timestamp_us end);

/// The presence of `user` over [start, end): `log_events` are the user's and the workspace's
/// events before `end`, merged in sequence order. Folds the events as their time comes and
/// evaluates the presence at every instant where it can change (an event, the idle deadline, a
/// manual-mode expiry). Adjacent stretches of the same presence are merged; the segments cover
/// [start, end) without gaps (empty when start >= end).
std::vector<presence_segment> presence_timeline(std::string_view user,
                                                const std::vector<event>& log_events,
                                                timestamp_us start, timestamp_us end);

} // namespace presence::events
