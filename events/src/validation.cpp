#include "presence/events/validation.hpp"

#include <string>

namespace presence::events {

namespace {

/// Decodes the code point starting at `pos` and advances `pos`; nullopt for invalid UTF-8
/// (stray continuation bytes, overlong forms, surrogates, values above U+10FFFF, truncation).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  // The allowed range of the first continuation byte excludes overlongs and surrogates.
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0Fu;
    if (lead == 0xE0)
      lo = 0xA0;
    else if (lead == 0xED)
      hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07u;
    if (lead == 0xF0)
      lo = 0x90;
    else if (lead == 0xF4)
      hi = 0x8F;
  } else {
    return std::nullopt;
  }
  if (text.size() - pos < length)
    return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char next = byte(pos + i);
    if (next < (i == 1 ? lo : 0x80) || next > (i == 1 ? hi : 0xBF))
      return std::nullopt;
    cp = (cp << 6) | (next & 0x3Fu);
  }
  pos += length;
  return cp;
}

bool is_control(char32_t cp) noexcept {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/// Why a piece of text is not acceptable as a name or status, or empty when it is.
std::string check_text(std::string_view text, std::size_t max_code_points) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const auto cp = next_code_point(text, pos);
    if (!cp)
      return "invalid UTF-8 at byte " + std::to_string(start);
    if (is_control(*cp))
      return "control character at byte " + std::to_string(start);
    ++count;
  }
  if (count > max_code_points)
    return std::to_string(count) + " code points, at most " + std::to_string(max_code_points)
           + " allowed";
  return {};
}

bool has_markup(std::string_view text) noexcept {
  for (std::size_t pos = text.find('<'); pos != std::string_view::npos;
       pos = text.find('<', pos + 1)) {
    const std::string_view rest = text.substr(pos + 1);
    if (!rest.empty() && (rest[0] == '@' || rest[0] == '#' || rest[0] == '!'))
      return true;
    if (rest.size() >= 4) {
      std::string scheme(rest.substr(0, 4));
      for (auto& ch : scheme)
        ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
      if (scheme == "http")
        return true;
    }
  }
  return false;
}

bool is_emoji_name_char(char ch) noexcept {
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '+'
         || ch == '\'' || ch == '-';
}

constexpr std::size_t max_emoji_name = 98;

} // namespace

std::optional<std::size_t> utf8_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size(); ++count)
    if (!next_code_point(text, pos))
      return std::nullopt;
  return count;
}

status validate_user_id(std::string_view id) {
  if (id.empty() || id.size() > max_user_id_length)
    return {errc::invalid_user_id, "user id must have 1.." + std::to_string(max_user_id_length)
                                     + " characters, got " + std::to_string(id.size())};
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                    || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    if (!ok)
      return {errc::invalid_user_id, "user id may only contain A-Z a-z 0-9 . _ -"};
  }
  return {};
}

status validate_status_text(std::string_view text) {
  if (auto count = utf8_code_points(text); count && *count > max_status_text_code_points)
    return {errc::too_long, "status_text: " + std::to_string(*count) + " code points, at most "
                              + std::to_string(max_status_text_code_points) + " allowed"};
  if (auto why = check_text(text, max_status_text_code_points); !why.empty())
    return {errc::invalid_status_text, "status_text: " + why};
  if (has_markup(text))
    return {errc::invalid_status_text, "status_text must not contain markup (<@ <# <! <http)"};
  return {};
}

status validate_emoji(std::string_view emoji) {
  if (emoji.empty())
    return {};
  const status bad{errc::invalid_emoji, "status_emoji must look like :name: or "
                                        ":name::skin-tone-N:"};
  if (emoji.size() > max_emoji_length)
    return {errc::too_long, "status_emoji: " + std::to_string(emoji.size()) + " bytes, at most "
                              + std::to_string(max_emoji_length) + " allowed"};
  if (emoji.size() < 3 || emoji.front() != ':' || emoji.back() != ':')
    return bad;
  std::string_view name = emoji.substr(1, emoji.size() - 2);
  if (auto split = name.find("::"); split != std::string_view::npos) {
    const std::string_view tone = name.substr(split + 2);
    if (tone.size() != 11 || tone.substr(0, 10) != "skin-tone-" || tone[10] < '2'
        || tone[10] > '6')
      return bad;
    name = name.substr(0, split);
  }
  if (name.size() > max_emoji_name)
    return {errc::too_long, "status_emoji: a name of " + std::to_string(name.size())
                              + " characters, at most " + std::to_string(max_emoji_name) + " allowed"};
  if (name.empty())
    return bad;
  for (char ch : name)
    if (!is_emoji_name_char(ch))
      return bad;
  return {};
}

status validate_expiration(int64_t expiration, timestamp_us now) {
  if (expiration == 0)
    return {};
  // Compared in whole seconds so huge values cannot overflow: expiration * 1e6 > now.
  constexpr int64_t us_per_second = 1'000'000;
  const int64_t now_seconds = now / us_per_second - (now % us_per_second < 0 ? 1 : 0);
  if (expiration <= now_seconds)
    return {errc::expiration_in_past, "expiration " + std::to_string(expiration)
                                        + " is not after the current time"};
  return {};
}

status validate_preset_name(std::string_view name) {
  if (name.empty())
    return {errc::invalid_preset, "preset name must not be empty"};
  if (auto why = check_text(name, max_preset_name_code_points); !why.empty())
    return {errc::invalid_preset, "preset name: " + why};
  return {};
}

} // namespace presence::events
