#pragma once
// Shared by the events tests: one event of every type with non-trivial values, a textual dump
// of every field (to compare events, which have no operator==), hex helpers and small builders.

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "presence/events/codec.hpp"
#include "presence/events/event.hpp"

namespace presence::events::test {

/// An event in stream `stream` at `ts`, caused by `by` through `via`.
inline event make_event(timestamp_us ts, std::string stream, payload body, std::string by = {},
                        std::string via = {}, sequence seq = 0) {
  event ev;
  ev.seq = seq;
  ev.ts = ts;
  ev.by = by.empty() ? stream : std::move(by);
  ev.stream = std::move(stream);
  ev.via = std::move(via);
  ev.body = std::move(body);
  return ev;
}

/// One event of each of the 20 types, in wire-type order, every field set to a non-default value.
inline std::vector<event> one_event_of_each_type() {
  const std::string ws(workspace_stream);
  const std::string sys(system_actor);
  constexpr timestamp_us t0 = 1'700'000'000'123'456;
  return {
    make_event(t0, "alice", connected{"c1", "web", 7}, "alice", "rtm.connect"),
    make_event(t0 + 1, "alice", disconnected{"c1", disconnect_reason::server_restart}, sys),
    make_event(t0 + 2, "alice", activity{"c2"}, "alice", "c2"),
    make_event(t0 + 3, "alice", away{}, sys),
    make_event(t0 + 4, "alice", presence_set{manual_mode::busy, t0 + 900'000'000}, "alice",
               "users.setPresence"),
    make_event(t0 + 5, "alice", presence_expired{}, sys),
    make_event(t0 + 6, "alice", status_set{"In a meeting \xe2\x98\x95", ":calendar:", 1'700'003'600},
               "admin", "users.profile.set"),
    make_event(t0 + 7, "alice", status_expired{}, sys),
    make_event(t0 + 8, "alice", preferences_set{300, false}, "alice", "prefs"),
    make_event(t0 + 9, ws, user_created{"bob", "Bob B.", true}, "admin", "admin.users.create"),
    make_event(t0 + 10, ws, user_deactivated{"bob"}, "admin"),
    make_event(t0 + 11, ws, token_issued{"t1", "bob", "9f86d081884c7d65"}, "admin"),
    make_event(t0 + 12, ws, token_revoked{"t1"}, "admin"),
    make_event(t0 + 13, ws, setting_changed{"idle_timeout", "900"}, "admin"),
    make_event(t0 + 14, ws, preset_created{"p1", "In a meeting", presence_value::busy}, "admin"),
    make_event(t0 + 15, ws, preset_updated{"p1", "Focus", presence_value::away}, "admin"),
    make_event(t0 + 16, ws, preset_deleted{"p1"}, "admin"),
    make_event(t0 + 17, ws, service_disabled{"connection_limit", 201}, sys),
    make_event(t0 + 18, ws, service_enabled{}, "admin", "presence.enableBroadcast"),
    make_event(t0 + 19, ws, epoch_started{3}, sys),
    make_event(t0 + 20, "alice", preset_applied{"P2", "Lunch", manual_mode::away}, "alice",
               "users.setStatus"),
    make_event(t0 + 21, ws, always_active_set{"B1", true}, "admin", "admin.users.setAlwaysActive"),
  };
}

namespace detail {

inline void dump_fields(std::ostream& out, const connected& p) {
  out << p.conn << '|' << p.client << '|' << p.epoch;
}
inline void dump_fields(std::ostream& out, const disconnected& p) {
  out << p.conn << '|' << to_string(p.reason);
}
inline void dump_fields(std::ostream& out, const activity& p) { out << p.conn; }
inline void dump_fields(std::ostream& out, const presence_set& p) {
  out << to_string(p.mode) << '|' << p.until;
}
inline void dump_fields(std::ostream& out, const status_set& p) {
  out << p.text << '|' << p.emoji << '|' << p.expiration;
}
inline void dump_fields(std::ostream& out, const preferences_set& p) {
  out << p.idle_timeout << '|' << p.auto_away;
}
inline void dump_fields(std::ostream& out, const preset_applied& p) {
  out << p.preset_id << '|' << p.text << '|' << to_string(p.mode);
}
inline void dump_fields(std::ostream& out, const user_created& p) {
  out << p.user << '|' << p.name << '|' << p.admin << '|' << p.bot;
}
inline void dump_fields(std::ostream& out, const always_active_set& p) {
  out << p.user << '|' << p.always_active;
}
inline void dump_fields(std::ostream& out, const user_deactivated& p) { out << p.user; }
inline void dump_fields(std::ostream& out, const token_issued& p) {
  out << p.id << '|' << p.user << '|' << p.hash;
}
inline void dump_fields(std::ostream& out, const token_revoked& p) { out << p.id; }
inline void dump_fields(std::ostream& out, const setting_changed& p) {
  out << p.key << '|' << p.value;
}
inline void dump_fields(std::ostream& out, const preset_created& p) {
  out << p.id << '|' << p.name << '|' << to_string(p.presence);
}
inline void dump_fields(std::ostream& out, const preset_updated& p) {
  out << p.id << '|' << p.name << '|' << to_string(p.presence);
}
inline void dump_fields(std::ostream& out, const preset_deleted& p) { out << p.id; }
inline void dump_fields(std::ostream& out, const service_disabled& p) {
  out << p.reason << '|' << p.connections;
}
inline void dump_fields(std::ostream& out, const epoch_started& p) { out << p.epoch; }
template <class Empty>
void dump_fields(std::ostream&, const Empty&) {
  static_assert(std::is_empty_v<Empty>, "payload with fields needs a dump_fields overload");
}

} // namespace detail

/// Every field of `ev`, for equality checks and readable failure messages.
inline std::string dump(const event& ev) {
  std::ostringstream out;
  out << ev.seq << ' ' << ev.ts << ' ' << ev.stream << ' ' << ev.by << ' ' << ev.via << ' '
      << ev.token_id << ' ' << ev.address << ' ' << to_string(type_of(ev.body)) << '{';
  std::visit([&](const auto& body) { detail::dump_fields(out, body); }, ev.body);
  out << '}';
  return out.str();
}

/// Lowercase hex of `bytes`.
inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : bytes) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0x0F]);
  }
  return out;
}

/// Inverse of `to_hex`.
inline std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

/// Rewrites the trailing CRC so a deliberately altered record passes the checksum.
inline std::string with_fixed_crc(std::string record) {
  record.resize(record.size() - 4);
  const uint32_t crc = crc32c(record);
  for (int shift = 0; shift < 32; shift += 8)
    record.push_back(static_cast<char>((crc >> shift) & 0xFF));
  return record;
}

} // namespace presence::events::test
