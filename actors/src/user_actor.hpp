#pragma once

// The user actor's state and the steps its command handlers share: private to user.cpp (the
// actor, its timers and message dispatch) and user_commands.cpp (one handler per command).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

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
  events::timestamp_us timer_deadline = 0;  ///< the next presence deadline (idle, expiry); 0 = none
  /// The deadline carried by the earliest timer_atom still on its way; 0 = none. At most one timer
  /// is armed per deadline that moves *earlier*: a deadline that moves later (every activity
  /// pushes the idle deadline) waits for the armed timer, which re-arms when it fires early. So
  /// the actor clock holds O(users) timers, not one per activity for a whole idle timeout.
  events::timestamp_us timer_armed = 0;
  uint64_t commands_handled = 0;
  uint64_t unsnapshotted = 0;  ///< events applied since the last snapshot
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
/// Appends `bodies` (validated) as this user's events; only on success applies them as stored,
/// notifies, snapshots when due, re-arms timers and answers `promise`. No other message of this
/// user is handled in between.
void commit(user_actor* self, std::vector<events::payload> bodies, const std::string& by,
            const std::string& via, events::timestamp_us now, caf::response_promise promise);
/// Book-keeping common to every command: counts it and returns the promise to answer.
caf::response_promise begin_command(user_actor* self);
/// Answers a command that failed validation (nothing is logged).
void reject(user_actor* self, caf::response_promise& promise, errc code, std::string message,
            events::timestamp_us now);

// --- the commands (user_commands.cpp), in protocol.hpp's terms ----------------------------

void on_connect(user_actor* self, const std::string& conn, const std::string& client,
                const std::string& by, const std::string& via);
void on_disconnect(user_actor* self, const std::string& conn, events::disconnect_reason reason,
                   const std::string& by, const std::string& via);
void on_activity(user_actor* self, const std::string& conn, const std::string& by,
                 const std::string& via);
void on_set_presence(user_actor* self, events::manual_mode mode, events::timestamp_us until,
                     const std::string& by, const std::string& via);
void on_set_status(user_actor* self, const std::string& text, const std::string& emoji,
                   int64_t expiration, const std::string& by, const std::string& via);
void on_set_prefs(user_actor* self, int64_t idle_timeout, bool auto_away, const std::string& by,
                  const std::string& via);
/// The presence now (the plain query).
void on_query(user_actor* self);
/// The presence at an earlier instant, rebuilt by the loader from the log.
void on_query_at(user_actor* self, events::timestamp_us at);

} // namespace user_impl

} // namespace presence::actors
