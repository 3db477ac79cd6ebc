#include <set>
#include <string>

#include <gtest/gtest.h>

#include "presence/events/result.hpp"

namespace presence {
namespace {

TEST(result, every_code_has_a_distinct_snake_case_name) {
  std::set<std::string> names;
  constexpr auto last = errc::not_clustered;  // the newest code
  for (int code = 1; code <= static_cast<int>(last); ++code) {
    const std::string name = to_string(static_cast<errc>(code));
    EXPECT_NE(name, "unknown_error") << code;
    for (char ch : name)
      EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(last));
  EXPECT_STREQ(to_string(errc::unknown_user), "unknown_user");
  EXPECT_STREQ(to_string(errc::connection_limit_exceeded), "connection_limit_exceeded");
}

TEST(result, describe_is_code_colon_message) {
  EXPECT_EQ(describe({errc::corrupt_record, "key 0x01"}), "corrupt_record: key 0x01");
  EXPECT_EQ(describe({errc::timeout, ""}), "timeout");
}

TEST(result, holds_a_value_or_an_error) {
  result<int> ok = 5;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  result<int> bad{errc::unknown_user, "bob"};
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, errc::unknown_user);
  EXPECT_EQ(bad.error().message, "bob");
  status fine;
  EXPECT_TRUE(fine.ok());
  status failed{errc::read_only};
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, errc::read_only);
}

} // namespace
} // namespace presence
