#include "ws/frame.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

namespace presence::api::ws {
namespace {

std::string bytes(std::initializer_list<uint8_t> list) {
  std::string out;
  for (auto b : list)
    out.push_back(static_cast<char>(b));
  return out;
}

const std::string mask_key = bytes({0x37, 0xFA, 0x21, 0x3D});

// A client header: the first two bytes, the extended length (if any), then the masking key.
std::string client_header(uint8_t b0, uint8_t b1, const std::string& extended = {}) {
  return bytes({b0, b1}) + extended + mask_key;
}

void expect_failure(const std::string& data, error expected) {
  auto parsed = parse_client_header(data);
  EXPECT_FALSE(parsed.complete);
  ASSERT_TRUE(parsed.failure.has_value());
  EXPECT_EQ(*parsed.failure, expected);
}

// Every strict prefix of a valid header asks for more bytes, and none is an error.
void expect_needs_more_at_every_byte(const std::string& header) {
  for (std::size_t n = 0; n < header.size(); ++n) {
    auto parsed = parse_client_header(header.substr(0, n));
    EXPECT_FALSE(parsed.complete) << "prefix of " << n << " bytes";
    EXPECT_FALSE(parsed.failure.has_value()) << "prefix of " << n << " bytes";
  }
}

TEST(frame_parse_client_header, seven_bit_length) {
  auto header = client_header(0x81, 0x85);
  auto parsed = parse_client_header(header + "hello"); // payload bytes are not the header's
  ASSERT_TRUE(parsed.complete);
  EXPECT_FALSE(parsed.failure.has_value());
  EXPECT_TRUE(parsed.header.fin);
  EXPECT_EQ(parsed.header.op, opcode::text);
  EXPECT_EQ(parsed.header.length, 5u);
  EXPECT_EQ(parsed.header.header_bytes, 6u);
  EXPECT_EQ(parsed.header.mask, (std::array<uint8_t, 4>{0x37, 0xFA, 0x21, 0x3D}));
  expect_needs_more_at_every_byte(header);
}

TEST(frame_parse_client_header, sixteen_bit_length) {
  auto header = client_header(0x02, 0xFE, bytes({0x01, 0x00})); // binary, not final, 256
  auto parsed = parse_client_header(header);
  ASSERT_TRUE(parsed.complete);
  EXPECT_FALSE(parsed.header.fin);
  EXPECT_EQ(parsed.header.op, opcode::binary);
  EXPECT_EQ(parsed.header.length, 256u);
  EXPECT_EQ(parsed.header.header_bytes, 8u);
  EXPECT_EQ(parsed.header.mask, (std::array<uint8_t, 4>{0x37, 0xFA, 0x21, 0x3D}));
  expect_needs_more_at_every_byte(header);

  auto smallest = parse_client_header(client_header(0x81, 0xFE, bytes({0x00, 0x7E})));
  ASSERT_TRUE(smallest.complete);
  EXPECT_EQ(smallest.header.length, 126u);
  auto largest = parse_client_header(client_header(0x81, 0xFE, bytes({0xFF, 0xFF})));
  ASSERT_TRUE(largest.complete);
  EXPECT_EQ(largest.header.length, 65535u);
}

TEST(frame_parse_client_header, sixty_four_bit_length) {
  auto header = client_header(0x80, 0xFF, bytes({0, 0, 0, 0, 0, 1, 0, 0})); // continuation
  auto parsed = parse_client_header(header);
  ASSERT_TRUE(parsed.complete);
  EXPECT_TRUE(parsed.header.fin);
  EXPECT_EQ(parsed.header.op, opcode::continuation);
  EXPECT_EQ(parsed.header.length, 65536u);
  EXPECT_EQ(parsed.header.header_bytes, 14u);
  EXPECT_EQ(parsed.header.mask, (std::array<uint8_t, 4>{0x37, 0xFA, 0x21, 0x3D}));
  expect_needs_more_at_every_byte(header);

  auto largest = parse_client_header(
    client_header(0x82, 0xFF, bytes({0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})));
  ASSERT_TRUE(largest.complete);
  EXPECT_EQ(largest.header.length, 0x7FFFFFFFFFFFFFFFull);
}

TEST(frame_parse_client_header, control_frames_up_to_125_bytes) {
  for (uint8_t b0 : {0x88, 0x89, 0x8A}) {
    auto parsed = parse_client_header(client_header(b0, 0x80 | 125));
    ASSERT_TRUE(parsed.complete) << int(b0);
    EXPECT_TRUE(is_control(parsed.header.op));
    EXPECT_EQ(parsed.header.length, 125u);
  }
  EXPECT_FALSE(is_control(opcode::text));
  EXPECT_FALSE(is_control(opcode::binary));
  EXPECT_FALSE(is_control(opcode::continuation));
}

TEST(frame_parse_client_header, reserved_bits_are_refused) {
  for (uint8_t rsv : {0x40, 0x20, 0x10, 0x70})
    expect_failure(bytes({static_cast<uint8_t>(0x81 | rsv), 0x85}), error::bad_reserved_bits);
}

TEST(frame_parse_client_header, unknown_opcodes_are_refused) {
  for (uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
    expect_failure(bytes({static_cast<uint8_t>(0x80 | op), 0x80}), error::bad_opcode);
}

TEST(frame_parse_client_header, unmasked_frames_are_refused) {
  expect_failure(bytes({0x81, 0x05}) + "hello", error::bad_unmasked_frame);
  expect_failure(bytes({0x89, 0x00}), error::bad_unmasked_frame);
}

TEST(frame_parse_client_header, fragmented_control_frames_are_refused) {
  for (uint8_t op : {0x8, 0x9, 0xA})
    expect_failure(bytes({op, 0x80}), error::bad_control_fragment);
}

TEST(frame_parse_client_header, control_frames_over_125_bytes_are_refused) {
  for (uint8_t b0 : {0x88, 0x89, 0x8A}) {
    expect_failure(bytes({b0, 0x80 | 126}), error::bad_control_size);
    expect_failure(bytes({b0, 0x80 | 127}), error::bad_control_size);
  }
}

TEST(frame_parse_client_header, lengths_not_in_shortest_form_are_refused) {
  expect_failure(client_header(0x81, 0xFE, bytes({0x00, 0x7D})), error::bad_size);
  expect_failure(client_header(0x81, 0xFE, bytes({0x00, 0x00})), error::bad_size);
  expect_failure(client_header(0x81, 0xFF, bytes({0, 0, 0, 0, 0, 0, 0xFF, 0xFF})), error::bad_size);
  expect_failure(client_header(0x81, 0xFF, bytes({0, 0, 0, 0, 0, 0, 0, 0x05})), error::bad_size);
}

TEST(frame_parse_client_header, sixty_four_bit_length_with_top_bit_is_refused) {
  expect_failure(client_header(0x82, 0xFF, bytes({0x80, 0, 0, 0, 0, 0, 0, 0})), error::bad_size);
  expect_failure(client_header(0x82, 0xFF, bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
                 error::bad_size);
}

TEST(frame_apply_mask, matches_the_rfc_example_and_round_trips) {
  // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
  std::string data = "Hello";
  std::array<uint8_t, 4> key{0x37, 0xFA, 0x21, 0x3D};
  apply_mask(data.data(), data.size(), key);
  EXPECT_EQ(data, bytes({0x7F, 0x9F, 0x4D, 0x51, 0x58}));
  apply_mask(data.data(), data.size(), key);
  EXPECT_EQ(data, "Hello");

  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  std::string masked = all;
  std::array<uint8_t, 4> other{0x00, 0xFF, 0x80, 0x01};
  apply_mask(masked.data(), masked.size(), other);
  for (std::size_t i = 0; i < all.size(); ++i)
    ASSERT_EQ(static_cast<uint8_t>(masked[i]), static_cast<uint8_t>(all[i]) ^ other[i % 4]) << i;
  apply_mask(masked.data(), masked.size(), other);
  EXPECT_EQ(masked, all);
}

// The server header as a string, for comparison.
std::string server_header(opcode op, uint64_t length) {
  std::array<uint8_t, max_server_header> out{};
  auto n = encode_server_header(op, length, out);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

TEST(frame_encode_server_header, uses_the_shortest_length_form) {
  EXPECT_EQ(server_header(opcode::text, 0), bytes({0x81, 0x00}));
  EXPECT_EQ(server_header(opcode::text, 125), bytes({0x81, 0x7D}));
  EXPECT_EQ(server_header(opcode::text, 126), bytes({0x81, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(server_header(opcode::text, 65535), bytes({0x81, 0x7E, 0xFF, 0xFF}));
  EXPECT_EQ(server_header(opcode::text, 65536),
            bytes({0x81, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

TEST(frame_encode_server_header, sets_fin_and_the_opcode_without_a_mask) {
  EXPECT_EQ(server_header(opcode::binary, 3), bytes({0x82, 0x03}));
  EXPECT_EQ(server_header(opcode::close, 2), bytes({0x88, 0x02}));
  EXPECT_EQ(server_header(opcode::ping, 0), bytes({0x89, 0x00}));
  EXPECT_EQ(server_header(opcode::pong, 125), bytes({0x8A, 0x7D}));
}

TEST(frame_encode_server_header, agrees_with_the_parser) {
  // With the mask bit and a key added, a server header is a client header of the same length.
  for (uint64_t length : {0ull, 1ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
    auto header = server_header(opcode::binary, length);
    header[1] = static_cast<char>(static_cast<uint8_t>(header[1]) | 0x80);
    auto parsed = parse_client_header(header + mask_key);
    ASSERT_TRUE(parsed.complete) << length;
    EXPECT_EQ(parsed.header.length, length);
    EXPECT_EQ(parsed.header.header_bytes, header.size() + 4);
  }
}

std::string code_bytes(uint16_t code) {
  return bytes({static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code & 0xFF)});
}

TEST(frame_parse_close_payload, empty_is_a_close_without_code) {
  close_payload out;
  out.code = 1000;
  out.reason = "stale";
  EXPECT_FALSE(parse_close_payload("", out).has_value());
  EXPECT_FALSE(out.code.has_value());
  EXPECT_EQ(out.reason, "");
}

TEST(frame_parse_close_payload, one_byte_is_refused) {
  close_payload out;
  EXPECT_EQ(parse_close_payload(bytes({0x03}), out), error::bad_close_size);
}

TEST(frame_parse_close_payload, codes_a_peer_may_not_send_are_refused) {
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    close_payload out;
    EXPECT_EQ(parse_close_payload(code_bytes(code), out), error::bad_close_code) << code;
  }
}

TEST(frame_parse_close_payload, codes_a_peer_may_send_are_accepted) {
  for (uint16_t code : {1000, 1001, 1002, 1007, 1009, 1011, 3000, 4000, 4999}) {
    close_payload out;
    EXPECT_FALSE(parse_close_payload(code_bytes(code), out).has_value()) << code;
    EXPECT_EQ(out.code, code);
    EXPECT_EQ(out.reason, "");
  }
  close_payload out;
  EXPECT_FALSE(parse_close_payload(code_bytes(1001) + "bye \xC3\xA9", out).has_value());
  EXPECT_EQ(out.code, 1001);
  EXPECT_EQ(out.reason, "bye \xC3\xA9");
}

TEST(frame_parse_close_payload, invalid_utf8_reason_is_refused) {
  close_payload out;
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + "bad \xC0\x80", out), error::bad_close_payload);
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + "cut \xE2\x82", out), error::bad_close_payload);
}

TEST(frame_make_close_payload, code_then_reason) {
  EXPECT_EQ(make_close_payload(close_code::going_away, "bye"), code_bytes(1001) + "bye");
  EXPECT_EQ(make_close_payload(close_code::normal, ""), code_bytes(1000));
  EXPECT_EQ(make_close_payload(close_code::too_big, ""), code_bytes(1009));
}

TEST(frame_make_close_payload, long_reasons_are_cut_to_123_bytes) {
  auto payload = make_close_payload(close_code::normal, std::string(200, 'x'));
  EXPECT_EQ(payload, code_bytes(1000) + std::string(123, 'x'));
  auto exact = make_close_payload(close_code::normal, std::string(123, 'y'));
  EXPECT_EQ(exact, code_bytes(1000) + std::string(123, 'y'));
}

TEST(frame_make_close_payload, cut_falls_on_a_character_boundary) {
  struct example {
    std::string reason;
    std::size_t kept; // reason bytes kept
  };
  const std::string e_acute = "\xC3\xA9", euro = "\xE2\x82\xAC", grin = "\xF0\x9F\x98\x80";
  for (const auto& [reason, kept] : {
         example{std::string(122, 'a') + e_acute + "tail", 122}, // é straddles byte 123
         example{std::string(121, 'a') + e_acute + "tail", 123}, // é ends at byte 123
         example{std::string(121, 'a') + euro + "tail", 121},
         example{std::string(122, 'a') + euro + "tail", 122},
         example{std::string(120, 'a') + grin + "tail", 120},
         example{std::string(119, 'a') + grin + "tail", 123},
       }) {
    auto payload = make_close_payload(close_code::normal, reason);
    EXPECT_EQ(payload, code_bytes(1000) + reason.substr(0, kept)) << kept;
    EXPECT_TRUE(valid_utf8(payload.substr(2)));
    EXPECT_LE(payload.size(), 125u);
  }
}

TEST(frame_valid_utf8, accepts_well_formed_text) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ASCII \x01\x7F"));
  EXPECT_TRUE(valid_utf8("\xC2\x80 \xC3\xA9 \xDF\xBF"));             // 2 bytes
  EXPECT_TRUE(valid_utf8("\xE0\xA0\x80 \xE2\x82\xAC \xEF\xBF\xBF")); // 3 bytes
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF \xEE\x80\x80"));              // around the surrogates
  EXPECT_TRUE(valid_utf8("\xF0\x90\x80\x80 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF")); // 4 bytes
}

TEST(frame_valid_utf8, refuses_overlong_forms) {
  EXPECT_FALSE(valid_utf8("\xC0\x80"));
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(valid_utf8("\xE0\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));
}

TEST(frame_valid_utf8, refuses_surrogates_and_code_points_above_u10ffff) {
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\xFE"));
}

TEST(frame_valid_utf8, refuses_truncated_sequences) {
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("\xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(valid_utf8("ok \xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xE2\x82z")); // a sequence cut by an ASCII byte
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98 \x80"));
}

TEST(frame_valid_utf8, refuses_lone_continuation_bytes) {
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("a\xBF"));
  EXPECT_FALSE(valid_utf8("\xC3\xA9\xA9"));
}

TEST(frame_accept_key, matches_the_rfc_example) {
  // RFC 6455 §1.3 (and §4.2.2): base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(frame_valid_client_key, accepts_base64_of_16_bytes) {
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(valid_client_key("/////////////////////w=="));
}

TEST(frame_valid_client_key, refuses_other_lengths_and_characters) {
  EXPECT_FALSE(valid_client_key(""));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));   // 23 characters
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ===")); // 25
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));    // unpadded
  EXPECT_FALSE(valid_client_key("AAAAAAAAAAAAAAAAAAAAAAAA"));  // 18 bytes
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZ!=="));  // not base64
  EXPECT_FALSE(valid_client_key("dGhlIHNhbX sZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key(" dGhlIHNhbXBsZSBub25jZ=="));
  EXPECT_FALSE(valid_client_key(std::string("dGhlIHNhbXBsZSBub25j\0Q==", 24)));
}

TEST(frame_valid_client_key, refuses_padding_inside_the_key) {
  // '=' only ends base64: these are not the encoding of 16 bytes.
  EXPECT_FALSE(valid_client_key("dGhl=HNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key("AAAAAAAAAAAAAAAAAAAAA==="));
}

} // namespace
} // namespace presence::api::ws
