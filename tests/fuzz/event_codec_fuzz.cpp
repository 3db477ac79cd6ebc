// Fuzz target: the event codec (events/codec.hpp). Arbitrary bytes are decoded as an event record
// and as a snapshot record. Decoding must fail only with its documented codes, in its documented
// order; whatever decodes must re-encode to a record that decodes to the same value, and to the
// very same bytes when the input was little-endian (the encoding is canonical). Each input is also
// tried with its checksum made valid, so mutations reach the body decoder. Decoded events
// are then folded into populated user and workspace states, and the folded user state must
// survive a snapshot round trip.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "presence/events/codec.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace {

using namespace presence;
using namespace presence::events;

constexpr sequence fuzz_seq = 4242;
/// Offset of cereal's endianness byte (1 little, 0 big) after the version and type bytes.
constexpr std::size_t endianness_offset = 2;

bool little_endian_body(std::string_view bytes) {
  return bytes.size() > endianness_offset && bytes[endianness_offset] == 1;
}

/// The codes `decode` and `decode_snapshot` document, checked in the documented order.
void check_decode_error(std::string_view bytes, const presence::error& err) {
  FUZZ_CHECK(err.code == errc::truncated_record || err.code == errc::corrupt_record ||
             err.code == errc::unknown_event_type || err.code == errc::unsupported_version);
  if (bytes.empty()) {
    FUZZ_CHECK(err.code == errc::truncated_record);
    return;
  }
  const auto version = static_cast<uint8_t>(bytes[0]);
  // The version byte is checked before anything else.
  FUZZ_CHECK((version == 0 || version > format_version) == (err.code == errc::unsupported_version));
}

/// A user with connections, a manual mode and a status: events fold into something non-trivial.
user_state populated_user() {
  user_state state;
  state.id = "alice";
  state.connections = {{"c1", "web", 3, 1'700'000'000'000'000, 1'700'000'000'500'000},
                       {"c2", "rtm", 3, 1'700'000'001'000'000, 1'700'000'001'000'000}};
  state.last_activity = 1'700'000'001'000'000;
  state.manual = manual_mode::busy;
  state.manual_until = 1'700'000'900'000'000;
  state.status = {"In a meeting", ":calendar:", 1'700'003'600};
  state.idle_timeout = 300;
  state.last_seq = 17;
  state.event_count = 17;
  return state;
}

void check_snapshot_round_trip(const user_state& state) {
  const std::string encoded = encode_snapshot(state);
  auto again = decode_snapshot(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == state);
  FUZZ_CHECK(encode_snapshot(*again) == encoded);
}

void check_event(std::string_view bytes) {
  auto decoded = decode(bytes, fuzz_seq);
  if (!decoded.ok()) {
    check_decode_error(bytes, decoded.error());
    return;
  }
  const event& ev = *decoded;
  FUZZ_CHECK(ev.seq == fuzz_seq);
  FUZZ_CHECK(static_cast<uint8_t>(bytes[1]) == static_cast<uint8_t>(type_of(ev.body)));

  const std::string encoded = encode(ev);
  // Fixed-width integers, exact string lengths, no trailing bytes: same size in either byte order.
  FUZZ_CHECK(encoded.size() == bytes.size());
  if (little_endian_body(bytes))
    FUZZ_CHECK(encoded == bytes);
  std::string appended = "prefix";
  encode_to(ev, appended);
  FUZZ_CHECK(appended == "prefix" + encoded);

  auto again = decode(encoded, fuzz_seq);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->ts == ev.ts && again->stream == ev.stream && again->by == ev.by &&
             again->via == ev.via && again->token_id == ev.token_id &&
             again->address == ev.address && again->body.index() == ev.body.index());
  FUZZ_CHECK(encode(*again) == encoded);

  // The folds are total: any decodable event folds, and the result snapshots faithfully.
  user_state user = populated_user();
  apply(user, ev);
  check_snapshot_round_trip(user);
  user_state fresh;
  apply(fresh, ev);
  check_snapshot_round_trip(fresh);
  workspace_state workspace;
  workspace.users["alice"] = user_entry{"Alice", true, true, false, false, 1};
  apply(workspace, ev);
  apply(workspace, ev);  // a replayed event must not break the fold either
}

void check_snapshot(std::string_view bytes) {
  auto decoded = decode_snapshot(bytes);
  if (!decoded.ok()) {
    // decode_snapshot reports a non-snapshot type byte as corrupt_record, never unknown type.
    FUZZ_CHECK(decoded.error().code != errc::unknown_event_type);
    check_decode_error(bytes, decoded.error());
    return;
  }
  const std::string encoded = encode_snapshot(*decoded);
  FUZZ_CHECK(encoded.size() == bytes.size());
  if (little_endian_body(bytes))
    FUZZ_CHECK(encoded == bytes);
  check_snapshot_round_trip(*decoded);
}

/// `bytes` with its last four bytes replaced by the CRC-32C of the rest: most mutations break the
/// checksum, and this copy lets them reach the body decoder too.
std::string with_valid_crc(std::string_view bytes) {
  std::string fixed(bytes);
  const std::size_t covered = fixed.size() - 4;
  const uint32_t crc = crc32c(std::string_view(fixed).substr(0, covered));
  for (std::size_t i = 0; i < 4; ++i)
    fixed[covered + i] = static_cast<char>((crc >> (8 * i)) & 0xFFu);
  return fixed;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_event(bytes);
  check_snapshot(bytes);
  if (size >= 4) {
    const std::string fixed = with_valid_crc(bytes);
    check_event(fixed);
    check_snapshot(fixed);
  }
  return 0;
}
