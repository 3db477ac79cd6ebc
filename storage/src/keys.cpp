#include "presence/storage/record_layout.hpp"

namespace presence::storage::layout {

namespace {

template <class T>
void put_be(std::string& out, T value) {
  for (int shift = static_cast<int>(sizeof(T) * 8) - 8; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

template <class T>
std::optional<T> get_be(std::string_view bytes) noexcept {
  if (bytes.size() != sizeof(T))
    return std::nullopt;
  T value = 0;
  for (char c : bytes)
    value = static_cast<T>((value << 8) | static_cast<unsigned char>(c));
  return value;
}

} // namespace

void put_u64_be(std::string& out, uint64_t value) {
  put_be(out, value);
}

void put_u32_be(std::string& out, uint32_t value) {
  put_be(out, value);
}

std::optional<uint64_t> get_u64_be(std::string_view bytes) noexcept {
  return get_be<uint64_t>(bytes);
}

std::optional<uint32_t> get_u32_be(std::string_view bytes) noexcept {
  return get_be<uint32_t>(bytes);
}

std::string log_key(events::sequence seq) {
  std::string key;
  key.reserve(8);
  put_u64_be(key, seq);
  return key;
}

std::optional<events::sequence> parse_log_key(std::string_view key) noexcept {
  return get_u64_be(key);
}

std::string stream_key(std::string_view stream, events::sequence seq) {
  std::string key;
  key.reserve(stream.size() + 9);
  key.append(stream);
  key.push_back('\0');
  put_u64_be(key, seq);
  return key;
}

std::string stream_upper_bound(std::string_view stream) {
  std::string key;
  key.reserve(stream.size() + 1);
  key.append(stream);
  key.push_back('\x01');
  return key;
}

std::optional<events::sequence> parse_stream_key_seq(std::string_view key) noexcept {
  if (key.size() < 9 || key[key.size() - 9] != '\0')
    return std::nullopt;
  return get_u64_be(key.substr(key.size() - 8));
}

std::optional<stream_key_parts> parse_stream_key(std::string_view key) {
  auto seq = parse_stream_key_seq(key);
  if (!seq)
    return std::nullopt;
  return stream_key_parts{std::string(key.substr(0, key.size() - 9)), *seq};
}

std::string connection_key(std::string_view user, std::string_view conn) {
  std::string key;
  key.reserve(user.size() + conn.size() + 1);
  key.append(user);
  key.push_back('\0');
  key.append(conn);
  return key;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0x0F]);
  }
  return out;
}

} // namespace presence::storage::layout
