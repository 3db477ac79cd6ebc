#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "presence/events/event.hpp"

/// The on-disk byte layout of the event log, public for tools that read raw records
/// (`event_log::scan_raw`, `presencectl verify`). Everything else should use `event_log`.
namespace presence::storage::layout {

/// Names of the column families, as used by `scan_raw` and in error messages.
inline constexpr std::string_view cf_log = "log";
inline constexpr std::string_view cf_streams = "streams";
inline constexpr std::string_view cf_connections = "connections";
inline constexpr std::string_view cf_snapshots = "snapshots";
inline constexpr std::string_view cf_meta = "meta";

/// Keys of the `meta` family.
inline constexpr std::string_view meta_schema_version = "schema_version";
inline constexpr std::string_view meta_epoch = "epoch";
/// Where the retained history begins (8 bytes: the first sequence kept, then 8: the horizon's
/// µs); absent while everything is kept.
inline constexpr std::string_view meta_retained = "retained";

/// Appends `value` as 8 big-endian bytes.
void put_u64_be(std::string& out, uint64_t value);
/// Appends `value` as 4 big-endian bytes.
void put_u32_be(std::string& out, uint32_t value);
/// Reads 8 big-endian bytes; nullopt unless `bytes` is exactly 8 bytes long.
std::optional<uint64_t> get_u64_be(std::string_view bytes) noexcept;
/// Reads 4 big-endian bytes; nullopt unless `bytes` is exactly 4 bytes long.
std::optional<uint32_t> get_u32_be(std::string_view bytes) noexcept;

/// `log` key: the sequence, 8 bytes big-endian, so byte order is numeric order.
std::string log_key(events::sequence seq);
/// Sequence of a `log` key; nullopt for a malformed key.
std::optional<events::sequence> parse_log_key(std::string_view key) noexcept;

/// `streams` key: stream bytes, 0x00, sequence (8 bytes big-endian).
std::string stream_key(std::string_view stream, events::sequence seq);
/// Exclusive upper bound of every key of `stream`: stream bytes, 0x01.
std::string stream_upper_bound(std::string_view stream);
/// Sequence of a `streams` key (its last 8 bytes); nullopt for a malformed key.
std::optional<events::sequence> parse_stream_key_seq(std::string_view key) noexcept;

/// A `streams` key split into its stream and sequence.
struct stream_key_parts {
  std::string stream;
  events::sequence seq = 0;
};
/// Splits a `streams` key; nullopt when it is shorter than 9 bytes or lacks the 0x00 separator.
std::optional<stream_key_parts> parse_stream_key(std::string_view key);

/// `connections` key: user bytes, 0x00, connection id.
std::string connection_key(std::string_view user, std::string_view conn);

/// The key bytes as lowercase hex, for error messages.
std::string to_hex(std::string_view bytes);

} // namespace presence::storage::layout
