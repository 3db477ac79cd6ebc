// The deterministic event mix and the fixture writers.
#include "workload.hpp"

#include <cstdio>

#include "report.hpp"

namespace presence::bench {

op op_at(uint64_t index, uint64_t users) noexcept {
  op result;
  result.user = users == 0 ? 0 : index % users;
  uint64_t turn = users == 0 ? index : index / users;
  result.kind = static_cast<op_kind>(turn % ops_per_cycle);
  result.cycle = turn / ops_per_cycle;
  return result;
}

std::string user_id(uint64_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "u%07llu", static_cast<unsigned long long>(index));
  return buffer;
}

std::string connection_id(uint64_t cycle) {
  return "c" + std::to_string(cycle);
}

events::event event_for(const op& command, events::timestamp_us ts, uint64_t epoch) {
  events::event ev;
  ev.ts = ts;
  ev.stream = user_id(command.user);
  ev.by = ev.stream;
  switch (command.kind) {
    case op_kind::connect:
      ev.via = connection_id(command.cycle);
      ev.body = events::connected{ev.via, "bench", epoch};
      break;
    case op_kind::set_away:
      ev.via = "users.setPresence";
      ev.body = events::presence_set{events::manual_mode::away, 0};
      break;
    case op_kind::set_status:
      ev.via = "users.profile.set";
      ev.body = events::status_set{"In a meeting", ":calendar:", 0};
      break;
    case op_kind::set_auto:
      ev.via = "users.setPresence";
      ev.body = events::presence_set{events::manual_mode::automatic, 0};
      break;
    case op_kind::disconnect:
      ev.via = connection_id(command.cycle);
      ev.body = events::disconnected{ev.via, events::disconnect_reason::closed};
      break;
  }
  return ev;
}

std::vector<events::event> make_events(uint64_t users, uint64_t count, events::timestamp_us ts0,
                                       uint64_t epoch) {
  std::vector<events::event> result;
  result.reserve(count);
  for (uint64_t i = 0; i < count; ++i)
    result.push_back(event_for(op_at(i, users), ts0 + static_cast<events::timestamp_us>(i), epoch));
  return result;
}

namespace {

/// Appends what `make` builds for indexes [0, count), `batch` events per append.
template <class Make>
status append_generated(storage::event_log& log, uint64_t count, std::size_t batch, Make make) {
  std::vector<events::event> pending;
  pending.reserve(batch);
  const events::timestamp_us ts0 = now_us();
  for (uint64_t i = 0; i < count; ++i) {
    pending.push_back(make(i, ts0 + static_cast<events::timestamp_us>(i)));
    if (pending.size() == batch || i + 1 == count) {
      auto appended = log.append(pending);
      if (!appended)
        return appended.error();
      pending.clear();
    }
  }
  return status::success();
}

} // namespace

status append_users(storage::event_log& log, uint64_t users, std::size_t batch) {
  return append_generated(log, users, batch, [](uint64_t i, events::timestamp_us ts) {
    events::event ev;
    ev.ts = ts;
    ev.stream = std::string{events::workspace_stream};
    ev.by = "admin";
    ev.via = "admin.users.create";
    ev.body = events::user_created{user_id(i), "Bench user " + std::to_string(i), false};
    return ev;
  });
}

status append_mix(storage::event_log& log, uint64_t users, uint64_t count, std::size_t batch) {
  const uint64_t epoch = log.current_epoch();
  return append_generated(log, count, batch, [&](uint64_t i, events::timestamp_us ts) {
    return event_for(op_at(i, users), ts, epoch);
  });
}

status append_online(storage::event_log& log, uint64_t online, std::size_t batch) {
  const uint64_t epoch = log.current_epoch();
  return append_generated(log, online, batch, [&](uint64_t i, events::timestamp_us ts) {
    return event_for(op{i, op_kind::connect, 0}, ts, epoch);
  });
}

} // namespace presence::bench
