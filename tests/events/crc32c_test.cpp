#include <string>

#include <gtest/gtest.h>

#include "crc32c.hpp"
#include "presence/events/codec.hpp"

namespace presence::events {
namespace {

TEST(crc32c, standard_check_value) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

// `crc32c` uses the hardware instruction where there is one: the software path must still be right
// on its own, and both must agree at every length, alignment and starting value.
TEST(crc32c, the_portable_and_hardware_implementations_agree) {
  EXPECT_EQ(detail::crc32c_portable("123456789", 0), 0xE3069283u);
  auto hardware = detail::crc32c_hardware();
  if (hardware == nullptr)
    GTEST_SKIP() << "no CRC-32C instruction on this CPU";
  std::string data;
  for (int i = 0; i < 300; ++i)
    data.push_back(static_cast<char>((i * 131 + 17) ^ (i >> 3)));
  const std::string_view view(data);
  for (std::size_t offset = 0; offset < 8; ++offset)
    for (std::size_t size = 0; offset + size <= view.size(); size += 1 + size / 8)
      for (uint32_t start : {0u, 0xFFFFFFFFu, 0x12345678u}) {
        const auto piece = view.substr(offset, size);
        ASSERT_EQ(hardware(piece, start), detail::crc32c_portable(piece, start))
          << "offset " << offset << " size " << size << " start " << start;
      }
}

TEST(crc32c, rfc3720_vectors) {
  std::string zeros(32, '\0');
  std::string ones(32, '\xFF');
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
}

TEST(crc32c, continues_across_pieces_of_any_length) {
  std::string data;
  for (int i = 0; i < 1000; ++i)
    data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = crc32c(data);
  for (std::size_t split = 0; split <= data.size(); split += 37) {
    const std::string_view view(data);
    EXPECT_EQ(crc32c(view.substr(split), crc32c(view.substr(0, split))), whole) << split;
  }
}

TEST(crc32c, detects_every_single_bit_flip) {
  std::string data = "the quick brown fox jumps over the lazy dog";
  const uint32_t original = crc32c(data);
  for (std::size_t i = 0; i < data.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = data;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      EXPECT_NE(crc32c(flipped), original) << i << ":" << bit;
    }
}

} // namespace
} // namespace presence::events
