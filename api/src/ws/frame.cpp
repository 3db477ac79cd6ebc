#include "frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace presence::api::ws {

namespace {

uint8_t byte_at(std::string_view data, std::size_t i) {
  return static_cast<uint8_t>(data[i]);
}

bool known_opcode(uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// Close codes a peer may send (RFC 6455 §7.4.1 and the IANA registry): 1004-1006 and 1015 are
// reserved for local use and never travel; 3000-4999 belong to libraries and applications.
bool sendable_close_code(uint16_t code) {
  if (code >= 3000 && code <= 4999)
    return true;
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                                static_cast<int>(n));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

} // namespace

header_parse parse_client_header(std::string_view data) {
  header_parse out;
  if (data.size() < 2)
    return out;
  uint8_t b0 = byte_at(data, 0);
  uint8_t b1 = byte_at(data, 1);
  auto fail = [&out](error e) {
    out.failure = e;
    return out;
  };
  if ((b0 & 0x70) != 0)
    return fail(error::bad_reserved_bits);
  uint8_t op = b0 & 0x0F;
  if (!known_opcode(op))
    return fail(error::bad_opcode);
  auto& h = out.header;
  h.fin = (b0 & 0x80) != 0;
  h.op = static_cast<opcode>(op);
  if ((b1 & 0x80) == 0)
    return fail(error::bad_unmasked_frame);
  uint8_t len7 = b1 & 0x7F;
  if (is_control(h.op)) {
    if (!h.fin)
      return fail(error::bad_control_fragment);
    if (len7 > 125)
      return fail(error::bad_control_size);
  }
  std::size_t len_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  h.header_bytes = 2 + len_bytes + 4;
  if (data.size() < h.header_bytes)
    return out;
  if (len_bytes == 0) {
    h.length = len7;
  } else {
    uint64_t length = 0;
    for (std::size_t i = 0; i < len_bytes; ++i)
      length = (length << 8) | byte_at(data, 2 + i);
    // The shortest form is required (§5.2), and a 64-bit length has its top bit clear.
    if ((len_bytes == 2 && length < 126) || (len_bytes == 8 && length <= 0xFFFF) ||
        (length >> 63) != 0)
      return fail(error::bad_size);
    h.length = length;
  }
  for (std::size_t i = 0; i < 4; ++i)
    h.mask[i] = byte_at(data, 2 + len_bytes + i);
  out.complete = true;
  return out;
}

void apply_mask(char* data, std::size_t n, const std::array<uint8_t, 4>& key) {
  for (std::size_t i = 0; i < n; ++i)
    data[i] = static_cast<char>(static_cast<uint8_t>(data[i]) ^ key[i & 3]);
}

std::size_t encode_server_header(opcode op, uint64_t length,
                                 std::array<uint8_t, max_server_header>& out) {
  out[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(op));
  if (length < 126) {
    out[1] = static_cast<uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(length >> 8);
    out[3] = static_cast<uint8_t>(length);
    return 4;
  }
  out[1] = 127;
  for (std::size_t i = 0; i < 8; ++i)
    out[2 + i] = static_cast<uint8_t>(length >> (8 * (7 - i)));
  return 10;
}

std::optional<error> parse_close_payload(std::string_view payload, close_payload& out) {
  out = {};
  if (payload.empty())
    return std::nullopt;
  if (payload.size() == 1)
    return error::bad_close_size;
  auto code = static_cast<uint16_t>((byte_at(payload, 0) << 8) | byte_at(payload, 1));
  if (!sendable_close_code(code))
    return error::bad_close_code;
  auto reason = payload.substr(2);
  if (!valid_utf8(reason))
    return error::bad_close_payload;
  out.code = code;
  out.reason = std::string(reason);
  return std::nullopt;
}

std::string make_close_payload(close_code code, std::string_view reason) {
  constexpr std::size_t max_reason = 123;  // a control payload is at most 125 bytes
  if (reason.size() > max_reason) {
    std::size_t cut = max_reason;
    // Back up over continuation bytes so the reason stays valid UTF-8.
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80)
      --cut;
    reason = reason.substr(0, cut);
  }
  std::string out;
  out.reserve(2 + reason.size());
  out.push_back(static_cast<char>(static_cast<uint16_t>(code) >> 8));
  out.push_back(static_cast<char>(static_cast<uint16_t>(code) & 0xFF));
  out.append(reason);
  return out;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    uint8_t c = byte_at(text, i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;  // a continuation byte first, or 0xF8..0xFF
    }
    if (n - i <= extra)
      return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      uint8_t cc = byte_at(text, i + k);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(client_key.size() + guid.size());
  input.append(client_key).append(guid);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return base64(digest.data(), digest.size());
}

bool valid_client_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==")
    return false;
  // EVP_DecodeBlock takes '=' anywhere as zero bits: only the last two may be padding.
  for (char c : key.substr(0, 22)) {
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!letter && c != '+' && c != '/')
      return false;
  }
  std::array<unsigned char, 18> decoded{};
  int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()),
                          static_cast<int>(key.size()));
  return n == 18;  // 16 bytes plus the two padding bytes EVP_DecodeBlock counts
}

} // namespace presence::api::ws
