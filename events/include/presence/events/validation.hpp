#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"

namespace presence::events {

inline constexpr std::size_t max_status_text_code_points = 100;
inline constexpr std::size_t max_user_id_length = 64;
inline constexpr std::size_t max_emoji_length = 100;
inline constexpr std::size_t max_preset_name_code_points = 100;

/// `[A-Za-z0-9._-]{1,64}`. Error: `invalid_user_id`.
status validate_user_id(std::string_view id);

/// Valid UTF-8, at most 100 code points, no control characters, no Slack markup (`<@`, `<#`,
/// `<!`, `<http`). `:emoji:` inside the text is fine. Errors: `too_long` (over 100 code points),
/// `invalid_status_text` (the rest).
status validate_status_text(std::string_view text);

/// Empty, or `:name:` with name in `[a-z0-9_+'-]` (1..98 chars; skin tones `::skin-tone-N:` allowed).
/// Errors: `too_long` (over 100 bytes, or a name over 98), `invalid_emoji` (the rest).
status validate_emoji(std::string_view emoji);

/// 0 (never) or strictly after `now`. `expiration` in Unix seconds. Error: `expiration_in_past`.
status validate_expiration(int64_t expiration, timestamp_us now);

/// Preset names: non-empty valid UTF-8, at most 100 code points, no control characters.
/// Error: `invalid_preset`.
status validate_preset_name(std::string_view name);

/// Number of code points in `text`, or nullopt when it is not valid UTF-8 (overlongs,
/// surrogates and truncated sequences are invalid).
std::optional<std::size_t> utf8_code_points(std::string_view text) noexcept;

} // namespace presence::events
