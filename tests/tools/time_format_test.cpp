// TIME parsing and RFC 3339 formatting of presencectl.
#include "time_format.hpp"

#include "support/test_support.hpp"

namespace presence::tools {
namespace {

constexpr timestamp_us nov21 = 1795219200LL * micros_per_second;  // 2026-11-21T00:00:00Z

TEST(time_format, formats_utc_with_six_fraction_digits) {
  EXPECT_EQ(format_time(nov21), "2026-11-21T00:00:00.000000Z");
  EXPECT_EQ(format_time(nov21 + 36000 * micros_per_second + 7), "2026-11-21T10:00:00.000007Z");
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_time(951782400LL * micros_per_second), "2000-02-29T00:00:00.000000Z");
}

TEST(time_format, parses_rfc3339_forms) {
  auto parse = [](const char* text) {
    auto parsed = parse_time(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed ? "" : parsed.error().message);
    return parsed ? *parsed : -1;
  };
  EXPECT_EQ(parse("2026-11-21T00:00:00Z"), nov21);
  EXPECT_EQ(parse("2026-11-21t00:00:00z"), nov21);
  EXPECT_EQ(parse("2026-11-21 00:00:00.5Z"), nov21 + 500000);
  EXPECT_EQ(parse("2026-11-21T00:00:00.000001Z"), nov21 + 1);
  EXPECT_EQ(parse("2026-11-21T01:30:00+01:30"), nov21);
  EXPECT_EQ(parse("2026-11-20T19:00:00-05:00"), nov21);
  EXPECT_EQ(parse("1795219200"), nov21);
  EXPECT_EQ(parse("1795219200.25"), nov21 + 250000);
  EXPECT_EQ(parse("0"), 0);
}

TEST(time_format, round_trips_its_own_output) {
  for (timestamp_us ts : {nov21, nov21 + 123456, timestamp_us{0}, timestamp_us{-5},
                          timestamp_us{4102444799999999}}) {
    auto parsed = parse_rfc3339(format_time(ts));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, ts);
  }
}

TEST(time_format, rejects_malformed_times_with_the_text_in_the_message) {
  for (const char* bad : {"", "now", "2026-11-21", "2026-11-21T10:00:00", "2026-11-21T24:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-11-21T10:00:00.Z",
                          "2026-11-21T10:00:00.1234567Z", "2026-11-21T10:00:00+1:00",
                          "2026-11-21T10:00:00Zjunk", "12e3", "1.", "-", "9999999999999"}) {
    auto parsed = parse_time(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, errc::invalid_argument);
    EXPECT_NE(parsed.error().message.find(std::string("'") + bad + "'"), std::string::npos)
      << parsed.error().message;
  }
}

TEST(time_format, parses_days) {
  auto day = parse_day("2026-11-21");
  ASSERT_OK(day);
  EXPECT_EQ(*day, nov21);
  auto leap = parse_day("2024-02-29");
  ASSERT_OK(leap);
  EXPECT_EQ(format_time(*leap), "2024-02-29T00:00:00.000000Z");
  for (const char* bad : {"2026-11-31", "2026-1-01", "2026-11-21T00:00:00Z", "21.11.2026"})
    EXPECT_FALSE(parse_day(bad).ok()) << bad;
}

} // namespace
} // namespace presence::tools
