#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "presence/events/event.hpp"

namespace presence::tools {

/// The byte layout of the column families, as documented on `storage::event_log`, for `verify`,
/// which reads raw records: `log` key = seq (u64 BE); `streams` key = stream, 0x00, seq (u64 BE);
/// `connections` key = user, 0x00, conn, value = epoch (u64 BE); `snapshots` key = stream,
/// value = seq (u64 BE) + snapshot bytes; `meta` `schema_version` (u32 BE), `epoch` (u64 BE).
namespace layout {

/// Big-endian unsigned integer of exactly sizeof(T) bytes; nullopt for any other length.
template <class T>
std::optional<T> read_be(std::string_view bytes) noexcept {
  if (bytes.size() != sizeof(T))
    return std::nullopt;
  T value = 0;
  for (char c : bytes)
    value = static_cast<T>((value << 8) | static_cast<unsigned char>(c));
  return value;
}

/// `value` as 8 big-endian bytes.
inline std::string u64_be(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
  return out;
}

/// A `streams` key split into its stream and sequence.
struct stream_key {
  std::string stream;
  events::sequence seq = 0;
};

/// Splits a `streams` key; nullopt when it is shorter than 9 bytes or lacks the 0x00 separator.
inline std::optional<stream_key> parse_stream_key(std::string_view key) {
  if (key.size() < 9 || key[key.size() - 9] != '\0')
    return std::nullopt;
  return stream_key{std::string(key.substr(0, key.size() - 9)),
                    *read_be<uint64_t>(key.substr(key.size() - 8))};
}

inline std::string make_stream_key(std::string_view stream, events::sequence seq) {
  return std::string(stream) + '\0' + u64_be(seq);
}

inline std::string make_connection_key(std::string_view user, std::string_view conn) {
  return std::string(user) + '\0' + std::string(conn);
}

inline constexpr std::string_view meta_schema_version = "schema_version";
inline constexpr std::string_view meta_epoch = "epoch";

/// Lowercase hex of `bytes`, how `verify` names keys.
inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += digits[byte >> 4];
    out += digits[byte & 0x0F];
  }
  return out;
}

} // namespace layout

} // namespace presence::tools
