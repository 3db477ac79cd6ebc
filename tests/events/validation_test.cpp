#include "presence/events/validation.hpp"

#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::events {
namespace {

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i)
    out += piece;
  return out;
}

const std::string snowman = "\xE2\x98\x83";     // U+2603, 3 bytes
const std::string grinning = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
const std::string e_acute = "\xC3\xA9";         // U+00E9, 2 bytes

TEST(validation, user_ids) {
  EXPECT_OK(validate_user_id("a"));
  EXPECT_OK(validate_user_id("U024BE7LH"));
  EXPECT_OK(validate_user_id("first.last_name-2"));
  EXPECT_OK(validate_user_id(std::string(64, 'x')));
  ASSERT_ERRC(validate_user_id(std::string(65, 'x')), errc::invalid_user_id);
  ASSERT_ERRC(validate_user_id(""), errc::invalid_user_id);
  const std::string bad_ids[] = {"a b", "a/b", "a@b", "$workspace", "a:b", e_acute,
                                 std::string("a\0b", 3)};
  for (const auto& bad : bad_ids)
    ASSERT_ERRC(validate_user_id(bad), errc::invalid_user_id);
}

TEST(validation, status_text_of_100_code_points_passes_101_fails) {
  for (const std::string& ch : {std::string("a"), e_acute, snowman, grinning}) {
    EXPECT_OK(validate_status_text(repeat(ch, 100)));
    ASSERT_ERRC(validate_status_text(repeat(ch, 101)), errc::too_long);
  }
  // 100 four-byte code points are 400 bytes: the limit counts code points, not bytes.
  EXPECT_EQ(repeat(grinning, 100).size(), 400u);
  EXPECT_OK(validate_status_text(""));
}

TEST(validation, status_text_rejects_invalid_utf8) {
  const std::string invalid[] = {
    "\xC0\xAF",              // overlong '/'
    "\xE0\x80\xAF",          // overlong, 3 bytes
    "\xF0\x80\x80\xAF",      // overlong, 4 bytes
    "\xED\xA0\x80",          // surrogate U+D800
    "\xED\xBF\xBF",          // surrogate U+DFFF
    "\xF4\x90\x80\x80",      // above U+10FFFF
    "ok\xE2\x98",            // truncated
    "\xF0\x9F\x98",          // truncated
    "\x80",                  // stray continuation
    "\xFF",                  // never valid
    "a\xC3",                 // truncated at end
    "\xC3\x28",              // bad continuation
  };
  for (const auto& text : invalid) {
    ASSERT_ERRC(validate_status_text(text), errc::invalid_status_text);
    EXPECT_FALSE(utf8_code_points(text)) << text;
  }
}

TEST(validation, utf8_code_points_counts_code_points) {
  EXPECT_EQ(utf8_code_points(""), 0u);
  EXPECT_EQ(utf8_code_points("abc"), 3u);
  EXPECT_EQ(utf8_code_points(e_acute + snowman + grinning), 3u);
  EXPECT_EQ(utf8_code_points("\xED\x9F\xBF"), 1u);      // U+D7FF, just below surrogates
  EXPECT_EQ(utf8_code_points("\xEE\x80\x80"), 1u);      // U+E000, just above
  EXPECT_EQ(utf8_code_points("\xF4\x8F\xBF\xBF"), 1u);  // U+10FFFF
  EXPECT_EQ(utf8_code_points("\xC2\x80"), 1u);          // smallest 2-byte form
}

TEST(validation, status_text_rejects_controls_and_markup) {
  ASSERT_ERRC(validate_status_text("line\nbreak"), errc::invalid_status_text);
  ASSERT_ERRC(validate_status_text("tab\there"), errc::invalid_status_text);
  ASSERT_ERRC(validate_status_text("del\x7F"), errc::invalid_status_text);
  ASSERT_ERRC(validate_status_text("c1\xC2\x85"), errc::invalid_status_text);
  ASSERT_ERRC(validate_status_text(std::string("nul\0", 4)), errc::invalid_status_text);
  for (const char* markup : {"hi <@U123>", "<#C1|general>", "<!here>", "see <http://x>",
                             "<HTTPS://x>"})
    ASSERT_ERRC(validate_status_text(markup), errc::invalid_status_text);
  EXPECT_OK(validate_status_text("In a meeting :calendar: 3 < 4 > 2"));
  EXPECT_OK(validate_status_text("Caf" + e_acute + " " + snowman));
}

TEST(validation, emoji_syntax) {
  for (const char* good : {"", ":a:", ":smile:", ":+1:", ":-1:", ":e-mail:", ":don't:",
                           ":flag_fr:", ":100:", ":thumbsup::skin-tone-2:",
                           ":wave::skin-tone-6:"})
    EXPECT_OK(validate_emoji(good));
  EXPECT_OK(validate_emoji(":" + std::string(98, 'a') + ":"));
  ASSERT_ERRC(validate_emoji(":" + std::string(99, 'a') + ":"), errc::too_long);
  ASSERT_ERRC(validate_emoji(":" + std::string(98, 'a') + "::skin-tone-2:"), errc::too_long);
  for (const char* bad : {"smile", ":smile", "smile:", "::", ":", ":Smile:", ":a b:", ":a:b:",
                          ":thumbsup::skin-tone-7:", ":thumbsup::skin-tone-1:",
                          ":thumbsup::skin-tone-:", "::skin-tone-2:", ":a::", "\xF0\x9F\x98\x80"})
    ASSERT_ERRC(validate_emoji(bad), errc::invalid_emoji);
}

TEST(validation, expiration) {
  constexpr timestamp_us now = 1'700'000'000'500'000;  // 0.5 s past a whole second
  EXPECT_OK(validate_expiration(0, now));
  EXPECT_OK(validate_expiration(1'700'000'001, now));
  ASSERT_ERRC(validate_expiration(1'700'000'000, now), errc::expiration_in_past);
  ASSERT_ERRC(validate_expiration(1'600'000'000, now), errc::expiration_in_past);
  ASSERT_ERRC(validate_expiration(-5, now), errc::expiration_in_past);
  // Equal to now is not "after now".
  constexpr timestamp_us whole = 1'700'000'000'000'000;
  ASSERT_ERRC(validate_expiration(1'700'000'000, whole), errc::expiration_in_past);
  EXPECT_OK(validate_expiration(1'700'000'000, whole - 1));
  EXPECT_OK(validate_expiration(std::numeric_limits<int64_t>::max(), now));
}

TEST(validation, preset_names) {
  EXPECT_OK(validate_preset_name("In a meeting"));
  EXPECT_OK(validate_preset_name(repeat(snowman, 100)));
  ASSERT_ERRC(validate_preset_name(repeat(snowman, 101)), errc::invalid_preset);
  ASSERT_ERRC(validate_preset_name(""), errc::invalid_preset);
  ASSERT_ERRC(validate_preset_name("bad\xC0\xAF"), errc::invalid_preset);
  ASSERT_ERRC(validate_preset_name("two\nlines"), errc::invalid_preset);
}

} // namespace
} // namespace presence::events
