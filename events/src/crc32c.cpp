// CRC-32C (Castagnoli): the SSE4.2 instruction where the CPU has it (chosen once, at first use),
// else software slicing-by-8 over tables computed at compile time. Both give the same value.
#include "crc32c.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "presence/events/codec.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define PRESENCE_CRC32C_SSE42 1
#endif

namespace presence::events {

namespace {

constexpr uint32_t castagnoli_reflected = 0x82F63B78u;

using crc_tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr crc_tables make_tables() {
  crc_tables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1u) ? (crc >> 1) ^ castagnoli_reflected : crc >> 1;
    tables[0][byte] = crc;
  }
  // tables[k][b] is the CRC of byte b followed by k zero bytes: one lookup per input byte of a
  // little-endian 8-byte word.
  for (std::size_t k = 1; k < tables.size(); ++k)
    for (std::size_t byte = 0; byte < 256; ++byte) {
      const uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFFu];
    }
  return tables;
}

constexpr crc_tables tables = make_tables();

inline uint32_t load_le32(const unsigned char* p) noexcept {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8
         | static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

#ifdef PRESENCE_CRC32C_SSE42
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(std::string_view data,
                                                         uint32_t crc) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  uint64_t wide = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    wide = _mm_crc32_u64(wide, word);
    p += 8;
    n -= 8;
  }
  auto narrow = static_cast<uint32_t>(wide);
  while (n-- > 0)
    narrow = _mm_crc32_u8(narrow, *p++);
  return ~narrow;
}
#endif

crc32c_function pick_crc32c() noexcept {
  if (auto hardware = detail::crc32c_hardware())
    return hardware;
  return detail::crc32c_portable;
}

} // namespace

namespace detail {

uint32_t crc32c_portable(std::string_view data, uint32_t crc) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  crc = ~crc;
  while (n >= 8) {
    const uint32_t lo = load_le32(p) ^ crc;
    const uint32_t hi = load_le32(p + 4);
    crc = tables[7][lo & 0xFFu] ^ tables[6][(lo >> 8) & 0xFFu] ^ tables[5][(lo >> 16) & 0xFFu]
          ^ tables[4][lo >> 24] ^ tables[3][hi & 0xFFu] ^ tables[2][(hi >> 8) & 0xFFu]
          ^ tables[1][(hi >> 16) & 0xFFu] ^ tables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0)
    crc = tables[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

crc32c_function crc32c_hardware() noexcept {
#ifdef PRESENCE_CRC32C_SSE42
  if (__builtin_cpu_supports("sse4.2"))
    return crc32c_sse42;
#endif
  return nullptr;
}

} // namespace detail

uint32_t crc32c(std::string_view data, uint32_t crc) noexcept {
  static const crc32c_function implementation = pick_crc32c();
  return implementation(data, crc);
}

} // namespace presence::events
