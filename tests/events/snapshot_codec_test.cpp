#include <gtest/gtest.h>

#include "presence/events/codec.hpp"
#include "sample_events.hpp"
#include "support/test_support.hpp"

namespace presence::events {
namespace {

using test::from_hex;
using test::to_hex;
using test::with_fixed_crc;

user_state sample_state() {
  user_state s;
  s.id = "alice";
  s.connections = {{"c1", "web", 3, 1'000'000, 2'000'000},
                   {"c2", "desktop", 4, 1'500'000, 2'500'000}};
  s.last_activity = 2'500'000;
  s.auto_away = true;
  s.manual = manual_mode::busy;
  s.manual_until = 9'000'000;
  s.status = {"Lunch \xF0\x9F\x8D\x94", ":hamburger:", 1'700'000'000};
  s.idle_timeout = 120;
  s.auto_away_enabled = false;
  s.last_seq = 77;
  s.event_count = 12;
  return s;
}

TEST(snapshot_codec, round_trips_a_full_state) {
  const user_state s = sample_state();
  auto back = decode_snapshot(encode_snapshot(s));
  ASSERT_OK(back);
  EXPECT_EQ(*back, s);
  auto empty = decode_snapshot(encode_snapshot(user_state{}));
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, user_state{});
}

TEST(snapshot_codec, golden_bytes) {
  // [01 version][f0 snapshot tag][01 little-endian] id, connection count (u64) and connections,
  // then last_activity, auto_away, manual, manual_until, text, emoji, expiration, idle_timeout,
  // auto_away_enabled, last_seq, event_count, CRC-32C.
  user_state s;
  s.id = "u";
  s.connections = {{"c", "w", 1, 2, 3}};
  s.last_activity = 3;
  s.manual = manual_mode::away;
  s.status = {"t", ":e:", 5};
  s.last_seq = 9;
  s.event_count = 2;
  const std::string hex = "01f001"
                          "010000000000000075"
                          "0100000000000000"
                          "010000000000000063" "010000000000000077"
                          "0100000000000000" "0200000000000000" "0300000000000000"
                          "0300000000000000" "00" "01" "0000000000000000"
                          "010000000000000074" "03000000000000003a653a" "0500000000000000"
                          "0000000000000000" "01" "0900000000000000" "0200000000000000";
  const std::string expected = with_fixed_crc(from_hex(hex) + "CRC!");
  EXPECT_EQ(to_hex(encode_snapshot(s)), to_hex(expected));
  auto back = decode_snapshot(expected);
  ASSERT_OK(back);
  EXPECT_EQ(*back, s);
}

TEST(snapshot_codec, every_truncation_and_flip_is_an_error) {
  const std::string bytes = encode_snapshot(sample_state());
  for (std::size_t length = 0; length < bytes.size(); ++length)
    EXPECT_FALSE(decode_snapshot(bytes.substr(0, length)).ok()) << length;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
    EXPECT_FALSE(decode_snapshot(flipped).ok()) << i;
  }
}

TEST(snapshot_codec, huge_connection_count_is_corrupt) {
  std::string bytes = encode_snapshot(sample_state());
  // After [01 f0 01] and the id "alice" (8 + 5 bytes) comes the u64 connection count.
  for (int i = 0; i < 8; ++i)
    bytes[16 + i] = '\xFF';
  ASSERT_ERRC(decode_snapshot(with_fixed_crc(bytes)), errc::corrupt_record);
}

TEST(snapshot_codec, event_records_are_not_snapshots_and_vice_versa) {
  const std::string ev = encode(test::one_event_of_each_type()[0]);
  ASSERT_ERRC(decode_snapshot(ev), errc::corrupt_record);
  ASSERT_ERRC(decode(encode_snapshot(sample_state())), errc::unknown_event_type);
}

TEST(snapshot_codec, newer_version_is_unsupported) {
  std::string bytes = encode_snapshot(sample_state());
  bytes[0] = static_cast<char>(format_version + 1);
  ASSERT_ERRC(decode_snapshot(bytes), errc::unsupported_version);
}

} // namespace
} // namespace presence::events
