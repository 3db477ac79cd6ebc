// Snapshot records: a user_state in the same framing as events, with type tag 0xF0.
#include <cstdint>

#include "codec_archive.hpp"
#include "presence/events/codec.hpp"

namespace presence::events {

namespace {

using detail::field_io;

/// Smallest encoding of one connection: two empty strings (8-byte lengths) and three integers.
constexpr std::size_t min_connection_bytes = 8 + 8 + 8 + 8 + 8;

template <class Archive>
void fields(Archive& ar, const field_io& io, connection_info& c) {
  ar(io.text(c.id), io.text(c.client), c.epoch, c.opened_at, c.last_activity);
}

template <class Archive>
void save_connections(Archive& ar, const field_io& io, std::vector<connection_info>& list) {
  ar(cereal::make_size_tag(static_cast<cereal::size_type>(list.size())));
  for (auto& c : list)
    fields(ar, io, c);
}

template <class Archive>
void load_connections(Archive& ar, const field_io& io, std::vector<connection_info>& list) {
  cereal::size_type count = 0;
  ar(cereal::make_size_tag(count));
  if (count > io.remaining() / min_connection_bytes)
    throw detail::decode_failure{errc::corrupt_record, "connection count exceeds the record"};
  list.resize(static_cast<std::size_t>(count));
  for (auto& c : list)
    fields(ar, io, c);
}

/// Every field after the connection list, in wire order (never reorder).
template <class Archive>
void scalar_fields(Archive& ar, const field_io& io, user_state& s) {
  ar(s.last_activity, io.flag(s.auto_away), io.enumeration(s.manual), s.manual_until,
     io.text(s.status.text), io.text(s.status.emoji), s.status.expiration, s.idle_timeout,
     io.flag(s.auto_away_enabled), s.last_seq, s.event_count);
}

} // namespace

std::string encode_snapshot(const user_state& state) {
  std::string out;
  out.reserve(128 + 64 * state.connections.size());
  // Saving never modifies: see field_io.
  auto& s = const_cast<user_state&>(state);
  // Snapshots have not changed since version 1: written as 1, any build can read them.
  detail::write_record(
    out, detail::snapshot_type_tag,
    [&](auto& archive, const field_io& io) {
      archive(io.text(s.id));
      save_connections(archive, io, s.connections);
      scalar_fields(archive, io, s);
    },
    1);
  return out;
}

result<user_state> decode_snapshot(std::string_view bytes) {
  auto record = detail::check_record(bytes);
  if (!record)
    return record.error();
  if (record->type != detail::snapshot_type_tag)
    return {errc::corrupt_record,
            "type byte " + std::to_string(record->type) + " is not a snapshot record"};
  user_state state;
  auto read = detail::read_record_body(record->body, [&](auto& archive, const field_io& io) {
    archive(io.text(state.id));
    load_connections(archive, io, state.connections);
    scalar_fields(archive, io, state);
  });
  if (!read)
    return read.error();
  return state;
}

} // namespace presence::events
