#pragma once

// The user actor's state and the steps its command handlers share: private to user.cpp (the
// actor, its timers and message dispatch) and user_commands.cpp (one handler per command).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/type_erased_tuple.hpp>

#include "presence/actors/commands.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "user.hpp"

namespace presence::actors {

struct user_actor_state {
  events::user_state user;
  events::presence_context ctx;
  int64_t activity_log_interval = 30;
  std::shared_ptr<const user_env> env;
  caf::actor directory;
  events::timestamp_us timer_deadline = 0; ///< the next presence deadline (idle, expiry); 0 = none
  /// The deadline carried by the earliest timer_atom still on its way; 0 = none. At most one timer
  /// is armed per deadline that moves *earlier*: a deadline that moves later (every activity
  /// pushes the idle deadline) waits for the armed timer, which re-arms when it fires early. So
  /// the actor clock holds O(users) timers, not one per activity for a whole idle timeout.
  events::timestamp_us timer_armed = 0;
  uint64_t commands_handled = 0;
  uint64_t unsnapshotted = 0; ///< events applied since the last snapshot
  /// The presence last told to the broadcaster (the clock alone can make `evaluate` differ from
  /// it: at an idle deadline the rule says `away` before the `away` event is logged).
  events::presence_value told = events::presence_value::offline;
  static inline const char* name = "presence.user";
};

using user_actor = caf::stateful_actor<user_actor_state>;

namespace user_impl {

// --- shared steps (user.cpp) ---------------------------------------------------------------

/// Records the next deadline and arms a timer for it unless one armed earlier will fire first.
void schedule(user_actor* self, events::timestamp_us now);
/// Answers `unit` unless the promise was answered already.
void deliver_ok(caf::response_promise& promise);
/// Appends `bodies` (validated) as this user's events, by `from`; only on success applies them as
/// stored, notifies, snapshots when due, re-arms timers and answers `promise` (with `unit`, or
/// through `answer` when given). No other message of this user is handled in between.
void commit(user_actor* self, std::vector<events::payload> bodies, const origin& from,
            events::timestamp_us now, caf::response_promise promise,
            std::function<void(caf::response_promise&)> answer = nullptr);
/// Book-keeping common to every command: counts it and returns the promise to answer.
caf::response_promise begin_command(user_actor* self);
/// Answers a command that failed validation (nothing is logged).
void reject(user_actor* self, caf::response_promise& promise, errc code, std::string message,
            events::timestamp_us now);

// --- the commands (user_commands.cpp) ----------------------------------------------------

/// Serves `xs` when it is one command struct that user_commands.cpp has an `on` overload for;
/// false (nothing done) otherwise.
bool handle_command(user_actor* self, const caf::type_erased_tuple& xs);
/// The presence now, or at `at` (the most frequent message, also a case of the behavior).
void on(user_actor* self, const command::query& cmd);

} // namespace user_impl

} // namespace presence::actors
