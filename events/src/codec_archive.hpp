#pragma once
// Private to the events module: the output stream buffer, the record reader, the cereal field
// wrappers and the record framing shared by the event and snapshot codecs.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>

#include <cereal/archives/portable_binary.hpp>

#include "presence/events/codec.hpp"
#include "presence/events/result.hpp"

namespace presence::events::detail {

/// Type tag of snapshot records (outside the event_type range).
inline constexpr uint8_t snapshot_type_tag = 0xF0;
/// version + type + cereal's endianness byte + crc: the smallest well-formed record.
inline constexpr std::size_t min_record_size = 1 + 1 + 1 + 4;
inline constexpr std::size_t crc_size = 4;

/// Appends everything written to it to a std::string (no intermediate copy).
class memory_sink final : public std::streambuf {
 public:
  /// Directs further writes to `out`.
  void reset(std::string& out) noexcept { out_ = &out; }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    out_->append(data, static_cast<std::size_t>(size));
    return size;
  }
  int_type overflow(int_type ch) override {
    if (!traits_type::eq_int_type(ch, traits_type::eof()))
      out_->push_back(traits_type::to_char_type(ch));
    return traits_type::not_eof(ch);
  }

 private:
  std::string* out_ = nullptr;
};

/// A std::ostream over a memory_sink, one per thread: constructing a stream (locale and all)
/// per record costs more than encoding the record.
struct sink_stream {
  memory_sink sink;
  std::ostream stream{&sink};

  static sink_stream& local(std::string& out) {
    thread_local sink_stream instance;
    instance.sink.reset(out);
    return instance;
  }
};

/// Thrown inside a body reader for a field that cannot be right; mapped to an error value at
/// the codec's entry points and never escapes them.
struct decode_failure {
  errc code;
  const char* what;
};

/// Reads cereal's portable binary format (what cereal::PortableBinaryInputArchive reads, the same
/// bytes) straight from a borrowed byte range: no std::istream, whose virtual call per field and
/// per-record archive construction were a third of the decode time. Never reads past the range:
/// a field that does not fit throws decode_failure{truncated_record}. One per thread (`local`);
/// only arithmetic fields, size tags, binary data and the wrappers below are supported (no
/// pointers, no versioned or polymorphic types), so the cereal base class keeps no state.
class record_reader : public cereal::InputArchive<record_reader, cereal::AllowEmptyClassElision> {
 public:
  record_reader() : InputArchive(this) {}

  /// Reads `body` (the endianness flag already taken off) written by a machine of the endianness
  /// `little_endian`. The bytes must outlive the reads.
  static record_reader& local(std::string_view body, bool little_endian) {
    thread_local record_reader instance;
    instance.next_ = body.data();
    instance.end_ = body.data() + body.size();
    instance.swap_ = little_endian != cereal::portable_binary_detail::is_little_endian();
    return instance;
  }

  /// Bytes not read yet.
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - next_); }

  /// The next `size` bytes, as they are (no byte order applies to text).
  std::string_view take(std::size_t size) {
    need(size);
    std::string_view bytes{next_, size};
    next_ += size;
    return bytes;
  }

  /// cereal's hook: `size` bytes of `DataSize`-byte values into `data`, in this machine's order.
  template <std::size_t DataSize>
  void loadBinary(void* data, std::size_t size) {
    need(size);
    std::memcpy(data, next_, size);
    next_ += size;
    if (swap_ && DataSize > 1) {
      auto* bytes = static_cast<unsigned char*>(data);
      for (std::size_t i = 0; i + DataSize <= size; i += DataSize)
        std::reverse(bytes + i, bytes + i + DataSize);
    }
  }

 private:
  void need(std::size_t size) const {
    if (size > remaining())
      throw decode_failure{errc::truncated_record, "record body ends inside a field"};
  }

  const char* next_ = nullptr;
  const char* end_ = nullptr;
  bool swap_ = false;
};

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(record_reader& ar, T& value) {
  ar.template loadBinary<sizeof(T)>(std::addressof(value), sizeof(T));
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(record_reader& ar, cereal::SizeTag<T>& tag) {
  ar(tag.size);
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(record_reader& ar, cereal::BinaryData<T>& binary) {
  using element = std::remove_pointer_t<T>;
  ar.template loadBinary<sizeof(element)>(binary.data, static_cast<std::size_t>(binary.size));
}

/// A string field: a u64 length (cereal's size tag) then the bytes. Loading checks the length
/// against the bytes left in the record before allocating anything.
struct bounded_string {
  std::string& value;
  const record_reader* source;  ///< null when saving

  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(value.size())));
    ar(cereal::binary_data(value.data(), value.size()));
  }
  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    if (size > source->remaining())
      throw decode_failure{errc::corrupt_record, "string length exceeds the record"};
    value.assign(ar.take(static_cast<std::size_t>(size)));
  }
};

constexpr uint8_t max_value(presence_value) { return uint8_t(presence_value::disabled); }
constexpr uint8_t max_value(manual_mode) { return uint8_t(manual_mode::invisible); }
constexpr uint8_t max_value(disconnect_reason) {
  return uint8_t(disconnect_reason::node_lost);
}

/// An enum stored as one byte; loading rejects values outside the enumerators.
template <class Enum>
struct enum_byte {
  Enum& value;

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<uint8_t>(value));
  }
  template <class Archive>
  void load(Archive& ar) {
    uint8_t byte = 0;
    ar(byte);
    if (byte > max_value(Enum{}))
      throw decode_failure{errc::corrupt_record, "enum value out of range"};
    value = static_cast<Enum>(byte);
  }
};

/// A bool stored as one byte, 0 or 1; anything else is corrupt (and never loaded into a bool).
struct flag_byte {
  bool& value;

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<uint8_t>(value ? 1 : 0));
  }
  template <class Archive>
  void load(Archive& ar) {
    uint8_t byte = 0;
    ar(byte);
    if (byte > 1)
      throw decode_failure{errc::corrupt_record, "boolean byte is neither 0 nor 1"};
    value = byte == 1;
  }
};

/// Builds the field wrappers; `source` is the record being read, or null when writing.
/// Field functions take their object by non-const reference for both directions (cereal's own
/// `serialize` idiom); writers pass a const_cast object and wrappers never modify it on save.
struct field_io {
  const record_reader* source = nullptr;
  uint8_t version = format_version; ///< the record's format version (fields added later skip)

  bounded_string text(std::string& value) const { return {value, source}; }
  template <class Enum>
  enum_byte<Enum> enumeration(Enum& value) const {
    return {value};
  }
  flag_byte flag(bool& value) const { return {value}; }
  /// Bytes left to read (only meaningful when reading).
  std::size_t remaining() const noexcept { return source ? source->remaining() : 0; }
};

/// Writes one framed record: version, `type`, the cereal body written by `write_body(archive,
/// io)`, then the CRC-32C of all of it, appended to `out`.
template <class WriteBody>
void write_record(std::string& out, uint8_t type, WriteBody&& write_body,
                  uint8_t version) {
  const std::size_t start = out.size();
  out.push_back(static_cast<char>(version));
  out.push_back(static_cast<char>(type));
  {
    cereal::PortableBinaryOutputArchive archive(
      sink_stream::local(out).stream,
      cereal::PortableBinaryOutputArchive::Options::LittleEndian());
    write_body(archive, field_io{nullptr, version});
  }
  const uint32_t crc = crc32c(std::string_view(out).substr(start));
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((crc >> shift) & 0xFFu));
}

/// A record whose framing and checksum are good.
struct checked_record {
  uint8_t version = 0;
  uint8_t type = 0;
  std::string_view body;  ///< the cereal body, between the type byte and the CRC
};

/// Checks version, minimum size and CRC. Errors: truncated_record, unsupported_version,
/// corrupt_record.
[[nodiscard]] result<checked_record> check_record(std::string_view bytes);

/// Reads a body with `read_body(archive, io)`, mapping every exception to an error and
/// rejecting bytes left over. Errors: truncated_record, corrupt_record.
template <class ReadBody>
[[nodiscard]] status read_record_body(std::string_view body, ReadBody&& read_body,
                                      uint8_t version = format_version) {
  // Portable binary starts with its endianness flag: 1 little, 0 big. Anything else is corrupt.
  if (body.empty())
    return {errc::truncated_record, "record has no body"};
  if (static_cast<uint8_t>(body.front()) > 1)
    return {errc::corrupt_record, "bad endianness byte"};
  auto& reader = record_reader::local(body.substr(1), body.front() == 1);
  try {
    read_body(reader, field_io{&reader, version});
  } catch (const decode_failure& failure) {
    return {failure.code, failure.what};
  } catch (const cereal::Exception& ex) {
    return {errc::truncated_record, ex.what()};
  } catch (const std::exception& ex) {
    return {errc::corrupt_record, ex.what()};
  }
  if (reader.remaining() != 0)
    return {errc::corrupt_record,
            std::to_string(reader.remaining()) + " trailing bytes after the record body"};
  return {};
}

} // namespace presence::events::detail
