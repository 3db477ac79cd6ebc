#include "presence/events/codec.hpp"

#include <array>
#include <type_traits>
#include <utility>

#include "codec_archive.hpp"

namespace presence::events {

namespace detail {

result<checked_record> check_record(std::string_view bytes) {
  if (bytes.empty())
    return {errc::truncated_record, "empty record"};
  const auto version = static_cast<uint8_t>(bytes[0]);
  // Checked before the size and checksum: a newer version may frame its records differently.
  if (version == 0 || version > format_version)
    return {errc::unsupported_version, "record format version " + std::to_string(version)
                                         + ", this build reads 1.."
                                         + std::to_string(format_version)};
  if (bytes.size() < min_record_size)
    return {errc::truncated_record,
            "record of " + std::to_string(bytes.size()) + " bytes is shorter than any record"};
  const std::size_t covered = bytes.size() - crc_size;
  uint32_t stored = 0;
  for (std::size_t i = 0; i < crc_size; ++i)
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[covered + i])) << (8 * i);
  if (crc32c(bytes.substr(0, covered)) != stored)
    return {errc::corrupt_record, "checksum mismatch"};
  return checked_record{version, static_cast<uint8_t>(bytes[1]), bytes.substr(2, covered - 2)};
}

} // namespace detail

namespace {

using detail::field_io;

// --- payload fields, in wire order (never reorder: golden bytes pin them) ----------------

template <class Archive>
void fields(Archive& ar, const field_io& io, connected& p) {
  ar(io.text(p.conn), io.text(p.client), p.epoch);
}
template <class Archive>
void fields(Archive& ar, const field_io& io, disconnected& p) {
  ar(io.text(p.conn), io.enumeration(p.reason));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, activity& p) {
  ar(io.text(p.conn));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, presence_set& p) {
  ar(io.enumeration(p.mode), p.until);
}
template <class Archive>
void fields(Archive& ar, const field_io& io, status_set& p) {
  ar(io.text(p.text), io.text(p.emoji), p.expiration);
}
template <class Archive>
void fields(Archive& ar, const field_io& io, preferences_set& p) {
  ar(p.idle_timeout, io.flag(p.auto_away));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, preset_applied& p) {
  ar(io.text(p.preset_id), io.text(p.text), io.enumeration(p.mode));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, user_created& p) {
  ar(io.text(p.user), io.text(p.name), io.flag(p.admin));
  if (io.version >= 2)
    ar(io.flag(p.bot));
  else if (io.source != nullptr) // reading a version-1 record (a reused event may hold a bot)
    p.bot = false;
}
template <class Archive>
void fields(Archive& ar, const field_io& io, always_active_set& p) {
  ar(io.text(p.user), io.flag(p.always_active));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, user_deactivated& p) {
  ar(io.text(p.user));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, token_issued& p) {
  ar(io.text(p.id), io.text(p.user), io.text(p.hash));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, token_revoked& p) {
  ar(io.text(p.id));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, setting_changed& p) {
  ar(io.text(p.key), io.text(p.value));
}
/// preset_created and preset_updated share one layout.
template <class Archive, class Preset>
std::enable_if_t<std::is_same_v<Preset, preset_created> || std::is_same_v<Preset, preset_updated>>
fields(Archive& ar, const field_io& io, Preset& p) {
  ar(io.text(p.id), io.text(p.name), io.enumeration(p.presence));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, preset_deleted& p) {
  ar(io.text(p.id));
}
template <class Archive>
void fields(Archive& ar, const field_io& io, service_disabled& p) {
  ar(io.text(p.reason), p.connections);
}
template <class Archive>
void fields(Archive& ar, const field_io&, epoch_started& p) {
  ar(p.epoch);
}
// Payloads without fields: away, presence_expired, status_expired, service_enabled.
template <class Archive, class Empty>
std::enable_if_t<std::is_empty_v<Empty>> fields(Archive&, const field_io&, Empty&) {}

/// The event's common fields (everything but `seq` and the type byte), then its payload.
template <class Archive>
void body_fields(Archive& ar, const field_io& io, event& ev) {
  ar(ev.ts, io.text(ev.stream), io.text(ev.by), io.text(ev.via));
  if (io.version >= 3) {
    ar(io.text(ev.token_id), io.text(ev.address));
    // Only an event with one of them is written as version 3: anything else was not written here.
    // Version 4 (a node_lost disconnect) writes them empty or not.
    if (io.source != nullptr && io.version == 3 && ev.token_id.empty() && ev.address.empty())
      throw detail::decode_failure{errc::corrupt_record,
                                   "version-3 record without a token id or an address"};
  } else if (io.source != nullptr) { // reading an older record into a possibly reused event
    ev.token_id.clear();
    ev.address.clear();
  }
  std::visit([&](auto& body) { fields(ar, io, body); }, ev.body);
}

template <std::size_t... Index>
constexpr auto make_payload_factories(std::index_sequence<Index...>) {
  return std::array<payload (*)(), sizeof...(Index)>{
    +[]() -> payload { return payload{std::in_place_index<Index>}; }...};
}

/// Wire type byte -> variant index + 1 (0: unknown type), built once from `type_of`.
const std::array<uint8_t, 256>& payload_index_by_type() {
  static const std::array<uint8_t, 256> table = [] {
    std::array<uint8_t, 256> out{};
    const auto factories =
      make_payload_factories(std::make_index_sequence<std::variant_size_v<payload>>{});
    for (std::size_t index = 0; index < factories.size(); ++index)
      out[static_cast<uint8_t>(type_of(factories[index]()))] = static_cast<uint8_t>(index + 1);
    return out;
  }();
  return table;
}

/// Makes `body` hold the payload of wire type `type`, keeping it (and its strings' capacity) when
/// it already does; false for an unknown type.
bool prepare_payload(uint8_t type, payload& body) {
  static const auto factories =
    make_payload_factories(std::make_index_sequence<std::variant_size_v<payload>>{});
  const uint8_t slot = payload_index_by_type()[type];
  if (slot == 0)
    return false;
  if (body.index() != slot - 1u)
    body = factories[slot - 1u]();
  return true;
}

/// The oldest format version that holds `ev` (older builds keep reading everything else).
uint8_t version_for(const event& ev) noexcept {
  if (const auto* closed = std::get_if<disconnected>(&ev.body);
      closed && closed->reason == disconnect_reason::node_lost)
    return 4;
  if (!ev.token_id.empty() || !ev.address.empty())
    return 3;
  const auto* created = std::get_if<user_created>(&ev.body);
  return created && created->bot ? 2 : 1;
}

} // namespace

void encode_to(const event& ev, std::string& out) {
  detail::write_record(
    out, static_cast<uint8_t>(type_of(ev.body)),
    [&](auto& archive, const field_io& io) {
      // Saving never modifies: see field_io.
      body_fields(archive, io, const_cast<event&>(ev));
    },
    version_for(ev));
}

std::string encode(const event& ev) {
  std::string out;
  out.reserve(128);
  encode_to(ev, out);
  return out;
}

status decode_into(std::string_view bytes, sequence seq, event& out) {
  auto record = detail::check_record(bytes);
  if (!record)
    return record.error();
  if (!prepare_payload(record->type, out.body))
    return {errc::unknown_event_type, "event type byte " + std::to_string(record->type)};
  out.seq = seq;
  return detail::read_record_body(
    record->body, [&](auto& archive, const field_io& io) { body_fields(archive, io, out); },
    record->version);
}

result<event> decode(std::string_view bytes, sequence seq) {
  event ev;
  if (auto decoded = decode_into(bytes, seq, ev); !decoded)
    return decoded.error();
  return ev;
}

} // namespace presence::events
