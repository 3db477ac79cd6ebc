#include "presence/events/codec.hpp"

#include <limits>
#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "allocation_tracker.hpp"
#include "sample_events.hpp"
#include "support/test_support.hpp"

namespace presence::events {
namespace {

using test::dump;
using test::from_hex;
using test::make_event;
using test::one_event_of_each_type;
using test::to_hex;
using test::with_fixed_crc;

struct golden_record {
  const char* type;
  const char* hex;
};

// Pinned encodings of `one_event_of_each_type()`, format version 1. Layout, e.g. connected:
// 01 version | 01 type | 01 cereal little-endian flag | 40222018240a0600 ts (LE i64) |
// 0500000000000000 "alice" stream | ... by | 0b.. "rtm.connect" via | 0200.. "c1" conn |
// 0300.. "web" client | 0700000000000000 epoch | d852d2c3 CRC-32C (LE) of everything before.
// Strings are u64 LE length + bytes; enums and bools one byte. NEVER edit these to make a
// test pass: a change here means records already on disk would no longer decode.
const golden_record golden[] = {
  {"connected",
   "01010140222018240a06000500000000000000616c6963650500000000000000616c6963650b0000"
   "000000000072746d2e636f6e6e656374020000000000000063310300000000000000776562070000"
   "0000000000d852d2c3"},
  {"disconnected",
   "01020141222018240a06000500000000000000616c696365060000000000000073797374656d0000"
   "0000000000000200000000000000633102826e41e0"},
  {"activity",
   "01030142222018240a06000500000000000000616c6963650500000000000000616c696365020000"
   "0000000000633202000000000000006332a4d1b8e2"},
  {"away",
   "01040143222018240a06000500000000000000616c696365060000000000000073797374656d0000"
   "0000000000001a792759"},
  {"presence_set",
   "01050144222018240a06000500000000000000616c6963650500000000000000616c696365110000"
   "000000000075736572732e73657450726573656e636502400bc54d240a0600b74aa52c"},
  {"presence_expired",
   "01060145222018240a06000500000000000000616c696365060000000000000073797374656d0000"
   "0000000000000d52e9e7"},
  {"status_set",
   "01070146222018240a06000500000000000000616c696365050000000000000061646d696e110000"
   "000000000075736572732e70726f66696c652e7365741000000000000000496e2061206d65657469"
   "6e6720e298950a000000000000003a63616c656e6461723a10ff536500000000c80e451e"},
  {"status_expired",
   "01080147222018240a06000500000000000000616c696365060000000000000073797374656d0000"
   "00000000000012608ade"},
  {"preferences_set",
   "01090148222018240a06000500000000000000616c6963650500000000000000616c696365050000"
   "000000000070726566732c010000000000000048fa23a5"},
  {"user_created",
   "01200149222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e120000000000000061646d696e2e75736572732e6372656174650300000000000000626f6206"
   "00000000000000426f6220422e01ed9a8568"},
  {"user_deactivated",
   "0121014a222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e00000000000000000300000000000000626f626ff29008"},
  {"token_issued",
   "0122014b222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e0000000000000000020000000000000074310300000000000000626f62100000000000000039"
   "6638366430383138383463376436356fd059a6"},
  {"token_revoked",
   "0123014c222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e000000000000000002000000000000007431801db5f2"},
  {"setting_changed",
   "0124014d222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e00000000000000000c0000000000000069646c655f74696d656f757403000000000000003930"
   "30bed45c9f"},
  {"preset_created",
   "0125014e222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e0000000000000000020000000000000070310c00000000000000496e2061206d656574696e67"
   "02f71c9be5"},
  {"preset_updated",
   "0126014f222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e0000000000000000020000000000000070310500000000000000466f63757301a679727a"},
  {"preset_deleted",
   "01270150222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e0000000000000000020000000000000070316d2f1dc0"},
  {"service_disabled",
   "01280151222018240a06000a0000000000000024776f726b73706163650600000000000000737973"
   "74656d00000000000000001000000000000000636f6e6e656374696f6e5f6c696d6974c900000000"
   "000000c5881d5b"},
  {"service_enabled",
   "01290152222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e180000000000000070726573656e63652e656e61626c6542726f616463617374fe55a273"},
  {"epoch_started",
   "012a0153222018240a06000a0000000000000024776f726b73706163650600000000000000737973"
   "74656d00000000000000000300000000000000533f70bf"},
  {"preset_applied",
   "010a0154222018240a06000500000000000000616c6963650500000000000000616c6963650f0000"
   "000000000075736572732e7365745374617475730200000000000000503205000000000000004c75"
   "6e636801abfa03c2"},
  {"always_active_set",
   "012b0155222018240a06000a0000000000000024776f726b7370616365050000000000000061646d"
   "696e1b0000000000000061646d696e2e75736572732e736574416c77617973416374697665020000"
   "0000000000423101ed6e2792"},
};

TEST(codec, golden_bytes_pin_every_event_type) {
  const auto events = one_event_of_each_type();
  ASSERT_EQ(std::size(golden), events.size());
  std::set<event_type> covered;
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(golden[i].type);
    EXPECT_EQ(to_string(type_of(events[i].body)), golden[i].type);
    EXPECT_EQ(to_hex(encode(events[i])), golden[i].hex);
    auto decoded = decode(from_hex(golden[i].hex), 42);
    ASSERT_OK(decoded);
    auto expected = events[i];
    expected.seq = 42;
    EXPECT_EQ(dump(*decoded), dump(expected));
    covered.insert(type_of(events[i].body));
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<payload>);
}

TEST(codec, golden_bytes_pin_the_revocation_disconnect_reasons) {
  // The `disconnected` record above with reason byte 04 (token_revoked) and 05 (account_inactive).
  const std::pair<disconnect_reason, const char*> pinned[] = {
    {disconnect_reason::token_revoked,
     "01020141222018240a06000500000000000000616c696365060000000000000073797374656d0000"
     "0000000000000200000000000000633104" "6a89e0c6"},
    {disconnect_reason::account_inactive,
     "01020141222018240a06000500000000000000616c696365060000000000000073797374656d0000"
     "0000000000000200000000000000633105" "690a8b34"},
  };
  for (const auto& [reason, hex] : pinned) {
    SCOPED_TRACE(to_string(reason));
    auto ev = one_event_of_each_type()[1];
    std::get<disconnected>(ev.body).reason = reason;
    EXPECT_EQ(to_hex(encode(ev)), hex);
    auto decoded = decode(from_hex(hex), 42);
    ASSERT_OK(decoded);
    EXPECT_EQ(std::get<disconnected>(decoded->body).reason, reason);
  }
}

TEST(codec, round_trips_every_event_type_and_sets_seq) {
  for (auto ev : one_event_of_each_type()) {
    ev.seq = 0;
    auto decoded = decode(encode(ev), 987654321);
    ASSERT_OK(decoded);
    EXPECT_EQ(decoded->seq, 987654321u);
    ev.seq = 987654321;
    EXPECT_EQ(dump(*decoded), dump(ev));
  }
}

TEST(codec, round_trips_extreme_values) {
  std::string long_text(5000, 'x');
  long_text += "\xF0\x9F\x98\x80";
  auto ev = make_event(-1, std::string(200, 'u'),
                       status_set{long_text, ":a:", std::numeric_limits<int64_t>::min()}, "",
                       std::string("\0with\0nul", 9));
  auto decoded = decode(encode(ev), std::numeric_limits<sequence>::max());
  ASSERT_OK(decoded);
  ev.seq = std::numeric_limits<sequence>::max();
  EXPECT_EQ(dump(*decoded), dump(ev));
  EXPECT_EQ(decoded->via.size(), 9u);

  auto empty = make_event(0, "", connected{}, "", "");
  auto empty_back = decode(encode(empty));
  ASSERT_OK(empty_back);
  EXPECT_EQ(dump(*empty_back), dump(empty));
}

TEST(codec, encode_to_appends_after_existing_bytes) {
  const auto events = one_event_of_each_type();
  std::string out = "prefix";
  encode_to(events[0], out);
  const std::size_t first_end = out.size();
  encode_to(events[6], out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(out.substr(6, first_end - 6), encode(events[0]));
  EXPECT_EQ(out.substr(first_end), encode(events[6]));
}

TEST(codec, every_truncation_is_an_error) {
  for (const auto& ev : one_event_of_each_type()) {
    const std::string bytes = encode(ev);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      auto decoded = decode(std::string_view(bytes).substr(0, length));
      ASSERT_FALSE(decoded.ok()) << to_string(type_of(ev.body)) << " cut at " << length;
      const errc code = decoded.error().code;
      EXPECT_TRUE(code == errc::truncated_record || code == errc::corrupt_record)
        << to_string(code);
    }
  }
}

TEST(codec, truncation_is_reported_as_truncated_when_the_frame_is_too_short) {
  const std::string bytes = encode(one_event_of_each_type()[3]);
  ASSERT_ERRC(decode(""), errc::truncated_record);
  ASSERT_ERRC(decode(bytes.substr(0, 6)), errc::truncated_record);
}

TEST(codec, body_ending_early_with_a_valid_checksum_is_truncated) {
  // Drop the last byte of the epoch field, keep a valid checksum.
  std::string bytes = encode(one_event_of_each_type()[19]);
  bytes.erase(bytes.size() - 5, 1);
  ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::truncated_record);
}

TEST(codec, every_flipped_byte_is_an_error) {
  for (const auto& ev : one_event_of_each_type()) {
    const std::string bytes = encode(ev);
    for (std::size_t i = 0; i < bytes.size(); ++i)
      for (unsigned char mask : {0x01, 0x80, 0xFF}) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ mask);
        auto decoded = decode(flipped);
        ASSERT_FALSE(decoded.ok()) << to_string(type_of(ev.body)) << " byte " << i;
        const errc expected = i == 0 ? errc::unsupported_version : errc::corrupt_record;
        EXPECT_EQ(decoded.error().code, expected) << describe(decoded.error());
      }
  }
}

TEST(codec, huge_string_length_is_corrupt_without_allocating_it) {
  // activity event: [01][03][01][ts 8 bytes][stream length 8 bytes]...
  const std::string bytes = encode(one_event_of_each_type()[2]);
  for (uint64_t length : {uint64_t{1} << 40, ~uint64_t{0}, uint64_t{bytes.size()}}) {
    std::string forged = bytes;
    for (int i = 0; i < 8; ++i)
      forged[11 + i] = static_cast<char>((length >> (8 * i)) & 0xFF);
    forged = with_fixed_crc(forged);
    test::start_allocation_tracking();
    auto decoded = decode(forged);
    const std::size_t largest = test::stop_allocation_tracking();
    ASSERT_ERRC(decoded, errc::corrupt_record);
    EXPECT_LT(largest, 4096u) << "length " << length;
  }
}

TEST(codec, enum_byte_out_of_range_is_corrupt) {
  // disconnected: the reason is the byte before the CRC.
  std::string bytes = encode(one_event_of_each_type()[1]);
  bytes[bytes.size() - 5] = 7;
  ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::corrupt_record);
  bytes[bytes.size() - 5] = 6;  // node_lost, the largest reason
  auto lost = decode(with_fixed_crc(bytes));
  ASSERT_OK(lost);
  EXPECT_EQ(std::get<disconnected>(lost->body).reason, disconnect_reason::node_lost);

  // preset_created: presence byte before the CRC; presence_set: the mode byte.
  std::string preset = encode(one_event_of_each_type()[14]);
  preset[preset.size() - 5] = 5;
  ASSERT_ERRC(decode(with_fixed_crc(preset)), errc::corrupt_record);
  std::string manual = encode(one_event_of_each_type()[4]);
  manual[manual.size() - 13] = 4;
  ASSERT_ERRC(decode(with_fixed_crc(manual)), errc::corrupt_record);
}

TEST(codec, bool_byte_other_than_zero_or_one_is_corrupt) {
  std::string bytes = encode(one_event_of_each_type()[9]);  // user_created: admin last
  bytes[bytes.size() - 5] = 2;
  ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::corrupt_record);
}

TEST(codec, a_bot_user_created_is_version_2_and_a_person_stays_version_1) {
  auto person = make_event(5, std::string(workspace_stream), user_created{"U1", "Ada", false});
  auto bot = make_event(5, std::string(workspace_stream), user_created{"B1", "Robo", false, true});
  const std::string person_bytes = encode(person);
  const std::string bot_bytes = encode(bot);
  EXPECT_EQ(static_cast<uint8_t>(person_bytes[0]), 1);
  EXPECT_EQ(static_cast<uint8_t>(bot_bytes[0]), 2);
  EXPECT_EQ(bot_bytes.size(), person_bytes.size() + 2); // "Robo" over "Ada", then the flag
  auto decoded = decode(bot_bytes, 9);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(std::get<user_created>(decoded->body).bot);
  auto old = decode(person_bytes, 9);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(std::get<user_created>(old->body).bot);
  // A version-2 record without the flag ends early.
  std::string cut = person_bytes;
  cut[0] = 2;
  ASSERT_ERRC(decode(with_fixed_crc(cut)), errc::truncated_record);
}

/// u64 LE length + bytes: how the codec writes a string.
std::string encoded_text(const std::string& text) {
  std::string out;
  for (int shift = 0; shift < 64; shift += 8)
    out.push_back(static_cast<char>((text.size() >> shift) & 0xFF));
  return out + text;
}

// Format version 3: the token id and client address follow `via`; the rest of the record is as in
// version 1. Pinned twice: against the version-1 golden record of the same event, and as bytes.
TEST(codec, an_event_with_its_origin_is_version_3_with_token_and_address_after_via) {
  const auto plain = one_event_of_each_type()[4]; // presence_set, golden version 1 above
  auto with_origin = plain;
  with_origin.token_id = "T0123456789abcdef";
  with_origin.address = "127.0.0.1";
  const std::string v1 = encode(plain);
  const std::string v3 = encode(with_origin);
  ASSERT_EQ(static_cast<uint8_t>(v1[0]), 1) << "a record without an origin stays version 1";
  ASSERT_EQ(static_cast<uint8_t>(v3[0]), 3);
  // version, type, endianness flag, ts, then stream, by and via as length-prefixed text.
  const std::size_t via_end = 3 + 8 + encoded_text(plain.stream).size() +
                              encoded_text(plain.by).size() + encoded_text(plain.via).size();
  std::string expected = "\x03" + v1.substr(1, via_end - 1) + encoded_text(with_origin.token_id) +
                         encoded_text(with_origin.address) + v1.substr(via_end);
  EXPECT_EQ(to_hex(v3), to_hex(with_fixed_crc(expected)));
  // NEVER edit to make a test pass: records of version 3 on disk must keep decoding.
  EXPECT_EQ(to_hex(v3),
            "03050144222018240a06000500000000000000616c6963650500000000000000616c696365110000"
            "000000000075736572732e73657450726573656e6365110000000000000054303132333435363738"
            "3961626364656609000000000000003132372e302e302e3102400bc54d240a0600799acbee");
  auto decoded = decode(v3, 7);
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->token_id, "T0123456789abcdef");
  EXPECT_EQ(decoded->address, "127.0.0.1");
  auto expected_event = with_origin;
  expected_event.seq = 7;
  EXPECT_EQ(dump(*decoded), dump(expected_event));
  // Either field alone is enough to need version 3; neither is never written as version 3.
  auto address_only = plain;
  address_only.address = "::1";
  EXPECT_EQ(static_cast<uint8_t>(encode(address_only)[0]), 3);
  std::string neither = "\x03" + v1.substr(1, via_end - 1) + encoded_text("") +
                        encoded_text("") + v1.substr(via_end);
  ASSERT_ERRC(decode(with_fixed_crc(neither)), errc::corrupt_record);
}

TEST(codec, records_of_versions_1_and_2_decode_with_no_token_or_address) {
  // Version-1 bytes (the golden presence_set) and a version-2 bot, each decoded fresh and into an
  // event that held a version-3 origin before: nothing of the earlier origin is left.
  auto bot = make_event(5, std::string(workspace_stream), user_created{"B1", "Robo", false, true});
  const std::string old_records[] = {from_hex(golden[4].hex), encode(bot)};
  ASSERT_EQ(static_cast<uint8_t>(old_records[1][0]), 2);
  auto newer = one_event_of_each_type()[4];
  newer.token_id = "T1";
  newer.address = "10.0.0.1";
  for (const auto& bytes : old_records) {
    auto fresh = decode(bytes, 3);
    ASSERT_OK(fresh);
    EXPECT_EQ(fresh->token_id, "");
    EXPECT_EQ(fresh->address, "");
    event reused;
    ASSERT_OK(decode_into(encode(newer), 2, reused));
    ASSERT_EQ(reused.token_id, "T1");
    ASSERT_OK(decode_into(bytes, 3, reused));
    EXPECT_EQ(dump(reused), dump(*fresh));
    EXPECT_EQ(encode(reused), bytes) << "re-encoded in the version it was read from";
  }
}

TEST(codec, bad_endianness_flag_is_corrupt) {
  std::string bytes = encode(one_event_of_each_type()[3]);
  bytes[2] = 7;
  ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::corrupt_record);
}

// cereal's portable binary may carry big-endian bytes (flag 0). The codec never writes them, but
// the reader must still swap them, as cereal's own archive did: an `away` event written big-endian by
// hand decodes to the same event as its little-endian encoding.
TEST(codec, a_big_endian_body_decodes_to_the_same_event) {
  event ev;
  ev.ts = 0x0102030405060708;
  ev.stream = "alice";
  ev.by = "system";
  ev.via = "timer";
  ev.body = away{};
  const std::string little = encode(ev);
  std::string big = little.substr(0, 2);  // version, type
  big.push_back('\0');                    // endianness flag: big
  auto put_u64_be = [&big](uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8)
      big.push_back(static_cast<char>((value >> shift) & 0xFF));
  };
  put_u64_be(static_cast<uint64_t>(ev.ts));
  for (const std::string* text : {&ev.stream, &ev.by, &ev.via}) {
    put_u64_be(text->size());
    big += *text;
  }
  big.append(4, '\0');  // the CRC, filled in below
  ASSERT_EQ(big.size(), little.size());
  ASSERT_NE(big, with_fixed_crc(little));
  auto decoded = decode(with_fixed_crc(big), 9);
  ASSERT_TRUE(decoded) << describe(decoded.error());
  EXPECT_EQ(decoded->ts, ev.ts);
  EXPECT_EQ(encode(*decoded), little);
}

// One event object decoded into over and over, whatever the types' order, and after an error,
// ends up exactly as a fresh decode: nothing of an earlier record leaks into a later one.
TEST(codec, decode_into_one_event_over_records_of_every_type) {
  auto events = one_event_of_each_type();
  std::vector<std::string> records;
  for (const auto& ev : events)
    records.push_back(encode(ev));
  event reused;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      const std::size_t at = pass == 0 ? i : records.size() - 1 - i;
      ASSERT_OK(decode_into(records[at], 100 + at, reused));
      EXPECT_EQ(encode(reused), records[at]) << "record " << at << ", pass " << pass;
      EXPECT_EQ(reused.seq, 100 + at);
      // A body cut short under a valid checksum fails part-way through decoding into `reused`.
      std::string cut = records[(at + 1) % records.size()];
      cut.erase(cut.size() - 4 - 3, 3);
      EXPECT_FALSE(decode_into(with_fixed_crc(cut), 1, reused).ok());
    }
  }
}

TEST(codec, trailing_bytes_are_corrupt) {
  std::string bytes = encode(one_event_of_each_type()[0]);
  bytes.insert(bytes.size() - 4, "\x00", 1);
  ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::corrupt_record);
}

TEST(codec, unknown_type_byte) {
  std::string bytes = encode(one_event_of_each_type()[3]);
  for (int type : {0, 11, 31, 44, 0xF0, 0xFF}) {
    bytes[1] = static_cast<char>(type);
    ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::unknown_event_type);
  }
}

TEST(codec, version_zero_or_newer_is_unsupported) {
  std::string bytes = encode(one_event_of_each_type()[3]);
  ASSERT_EQ(static_cast<uint8_t>(bytes[0]), 1); // written in the oldest version that holds it
  for (int version : {0, format_version + 1, 0xFF}) {
    bytes[0] = static_cast<char>(version);
    ASSERT_ERRC(decode(with_fixed_crc(bytes)), errc::unsupported_version);
    ASSERT_ERRC(decode(bytes.substr(0, 1)), errc::unsupported_version);
  }
}

TEST(codec, decodes_the_same_event_from_any_buffer_alignment) {
  const std::string bytes = encode(one_event_of_each_type()[6]);
  for (std::size_t offset = 1; offset < 8; ++offset) {
    std::string padded = std::string(offset, '\x55') + bytes;
    auto decoded = decode(std::string_view(padded).substr(offset));
    ASSERT_OK(decoded);
    EXPECT_EQ(dump(*decoded), dump(one_event_of_each_type()[6]));
  }
}

TEST(codec, a_node_lost_disconnect_is_written_as_version_4_and_nothing_else_is) {
  auto lost = one_event_of_each_type()[1];
  std::get<disconnected>(lost.body).reason = disconnect_reason::node_lost;
  const auto bytes = encode(lost);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 4);
  auto decoded = decode(bytes, 9);
  ASSERT_OK(decoded);
  EXPECT_EQ(std::get<disconnected>(decoded->body).reason, disconnect_reason::node_lost);
  for (const auto& ev : one_event_of_each_type())
    EXPECT_LT(static_cast<uint8_t>(encode(ev)[0]), 4) << to_string(type_of(ev.body));
}

} // namespace
} // namespace presence::events
