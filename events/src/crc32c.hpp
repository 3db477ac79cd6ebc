#pragma once
// Private to the events module (and its tests): the two CRC-32C implementations behind
// `events::crc32c`, so a test can hold them against each other on any machine.

#include <cstdint>
#include <string_view>

namespace presence::events {

/// A CRC-32C implementation with `events::crc32c`'s contract.
using crc32c_function = uint32_t (*)(std::string_view data, uint32_t crc) noexcept;

namespace detail {

/// Software, slicing-by-8: runs everywhere.
uint32_t crc32c_portable(std::string_view data, uint32_t crc) noexcept;
/// The SSE4.2 `crc32` instruction, or nullptr when this CPU or build has none.
crc32c_function crc32c_hardware() noexcept;

} // namespace detail

} // namespace presence::events
