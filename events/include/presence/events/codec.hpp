#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"
#include "presence/events/user_state.hpp"

namespace presence::events {

/// Newest record format. Layout: [version u8][type u8][cereal portable-binary body][crc32c u32 LE]
/// over everything before it. Decoders keep every older version readable. A record is written in
/// the oldest version that holds it, so a build that predates a field still reads every record
/// without it: version 2 adds `user_created.bot` (written only for bots); version 3 adds the
/// event's `token_id` and `address` after `via` (written only when one of them is set; a version-3
/// record with neither is `corrupt_record`); version 4 adds the disconnect reason `node_lost`
/// (written only for it).
inline constexpr uint8_t format_version = 4;

/// Encodes an event (everything but `seq`, which lives in the storage key). Never fails.
std::string encode(const event& ev);
/// Appends the encoding of `ev` to `out` (no reallocation when `out` has capacity).
void encode_to(const event& ev, std::string& out);

/// Decodes one record and sets `seq`. Errors: `truncated_record`, `corrupt_record` (checksum,
/// oversize field, trailing bytes, bad enum value), `unknown_event_type`, `unsupported_version`.
/// Never reads outside `bytes` and never allocates more than `bytes.size()` per field. Checks run
/// in this order: version byte (0 or newer: unsupported_version, before anything else since a
/// newer format may frame differently), minimum size (truncated_record), checksum (a cut or
/// altered record is corrupt_record), type byte, then the body (a checksummed body that ends
/// early is truncated_record). Thread-safe; reuses one reader per thread.
[[nodiscard]] result<event> decode(std::string_view bytes, sequence seq = 0);

/// `decode` into an existing event, for loops over many records: `out`'s strings and payload are
/// reused when the type repeats, so a scan allocates nothing per record once warm. On error
/// `out` is left in a valid but unspecified state.
[[nodiscard]] status decode_into(std::string_view bytes, sequence seq, event& out);

/// Snapshot encoding of a user state, same framing (own type tag 0xF0) and guarantees.
std::string encode_snapshot(const user_state& state);
[[nodiscard]] result<user_state> decode_snapshot(std::string_view bytes);

/// CRC-32C (Castagnoli) of `data`, continuing from `crc`.
uint32_t crc32c(std::string_view data, uint32_t crc = 0) noexcept;

} // namespace presence::events
