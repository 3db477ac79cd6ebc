#pragma once

// Deterministic random user events for replay tests: a mix of connects, disconnects, activity,
// auto-away, manual presence, status and preference changes, shaped by the user's live state.

#include <cstdint>
#include <random>
#include <string>

#include "presence/events/event.hpp"
#include "presence/events/user_state.hpp"

namespace presence::test {

class random_user_events {
 public:
  explicit random_user_events(uint64_t seed) : rng_(seed) {}

  /// The next event for `state`'s user at `ts`. Roughly: 20% connect, 15% disconnect,
  /// 35% activity, 10% away, 8% presence, 8% status, 4% preferences/expiries.
  events::event next(const events::user_state& state, events::timestamp_us ts, uint64_t epoch) {
    events::event ev;
    ev.ts = ts;
    ev.stream = state.id;
    ev.by = state.id;
    auto roll = pick(100);
    if (roll < 20 || (roll < 35 && state.connections.empty())) {
      ev.via = "c" + std::to_string(next_conn_++);
      ev.body = events::connected{ev.via, pick(2) == 0 ? "web" : "desktop", epoch};
    } else if (roll < 35) {
      const auto& conn = state.connections[pick(state.connections.size())];
      ev.via = conn.id;
      ev.body = events::disconnected{conn.id, static_cast<events::disconnect_reason>(pick(4))};
    } else if (roll < 70) {
      ev.via = state.connections.empty() ? "" : state.connections.front().id;
      ev.body = events::activity{ev.via};
    } else if (roll < 80) {
      ev.by = std::string{events::system_actor};
      ev.body = events::away{};
    } else if (roll < 88) {
      ev.via = "users.setPresence";
      auto mode = static_cast<events::manual_mode>(pick(4));
      ev.body = events::presence_set{mode, pick(3) == 0 ? ts + 3'600'000'000 : 0};
    } else if (roll < 96) {
      ev.via = "users.profile.set";
      ev.body = events::status_set{pick(5) == 0 ? "" : "status " + std::to_string(pick(50)),
                                   pick(2) == 0 ? ":coffee:" : "",
                                   static_cast<int64_t>(pick(2) * (ts / 1'000'000 + 600))};
    } else if (roll < 98) {
      ev.body = events::preferences_set{static_cast<int64_t>(pick(3) * 300), pick(4) != 0};
    } else if (roll < 99) {
      ev.by = std::string{events::system_actor};
      ev.body = events::presence_expired{};
    } else {
      ev.by = std::string{events::system_actor};
      ev.body = events::status_expired{};
    }
    return ev;
  }

  /// A uniform value in [0, n).
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng_);
  }

 private:
  std::mt19937_64 rng_;
  uint64_t next_conn_ = 1;
};

} // namespace presence::test
