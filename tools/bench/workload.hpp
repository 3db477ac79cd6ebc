#pragma once

// The event mix every presence-bench path drives, and fixture logs written straight through
// storage::event_log (much faster than through the engine, for the large restart/memory cases).

#include <cstdint>
#include <string>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::bench {

/// One user command of the mix. Each one changes the user's state, so each logs exactly one event.
enum class op_kind : uint8_t { connect, set_away, set_status, set_auto, disconnect };
inline constexpr uint64_t ops_per_cycle = 5;

struct op {
  uint64_t user = 0;  ///< index into the user ids
  op_kind kind = op_kind::connect;
  uint64_t cycle = 0; ///< how many full cycles this user went through before (names the connection)
};

/// The i-th command: users take turns (i % users), each cycling through connect, away, status,
/// auto, disconnect. Deterministic, so every path sees the same mix.
op op_at(uint64_t index, uint64_t users) noexcept;

/// "u0000042": valid user ids of a fixed width.
std::string user_id(uint64_t index);
/// Connection id of a user's `cycle`-th connection.
std::string connection_id(uint64_t cycle);

/// The event `op` logs (seq 0; `by` the user, `via` the connection or the API method).
events::event event_for(const op& command, events::timestamp_us ts, uint64_t epoch);

/// The first `count` events of the mix for `users` users, timestamps from `ts0`, 1 µs apart.
std::vector<events::event> make_events(uint64_t users, uint64_t count, events::timestamp_us ts0,
                                       uint64_t epoch);

/// Appends `user_created` for users [0, users) to the workspace stream, `batch` per append.
[[nodiscard]] status append_users(storage::event_log& log, uint64_t users, std::size_t batch);

/// Appends `events` of the mix (after the users exist), `batch` per append.
[[nodiscard]] status append_mix(storage::event_log& log, uint64_t users, uint64_t events,
                                std::size_t batch);

/// Appends `connected` for users [0, online) in the log's current epoch (a crash fixture: these
/// users are left online for the next start to close).
[[nodiscard]] status append_online(storage::event_log& log, uint64_t online, std::size_t batch);

} // namespace presence::bench
