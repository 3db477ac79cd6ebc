// parse_client_json: client JSON is refused when it nests deeper than max_json_depth, before the
// parser builds a value whose copy or printing would recurse that deep.

#include "bounded_json.hpp"

#include <string>

#include <gtest/gtest.h>

namespace presence::api {
namespace {

std::string nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(bounded_json, accepts_up_to_the_limit) {
  bool too_deep = true;
  auto value = parse_client_json(nested(max_json_depth), &too_deep);
  EXPECT_FALSE(value.is_discarded());
  EXPECT_FALSE(too_deep);
}

TEST(bounded_json, refuses_one_level_more) {
  bool too_deep = false;
  EXPECT_TRUE(parse_client_json(nested(max_json_depth + 1), &too_deep).is_discarded());
  EXPECT_TRUE(too_deep);
}

TEST(bounded_json, refuses_a_deep_value_inside_an_object_without_recursing) {
  // 400,000 levels: what crashed presenced when a handler copied it.
  bool too_deep = false;
  auto text = R"({"type":"ping","x":)" + nested(400'000) + "}";
  EXPECT_TRUE(parse_client_json(text, &too_deep).is_discarded());
  EXPECT_TRUE(too_deep);
}

TEST(bounded_json, brackets_inside_strings_do_not_count) {
  auto text = R"({"a":")" + std::string(1000, '[') + R"(\"[[[","b":[{"c":[]}]})";
  bool too_deep = true;
  auto value = parse_client_json(text, &too_deep);
  ASSERT_FALSE(value.is_discarded());
  EXPECT_FALSE(too_deep);
  EXPECT_EQ(value["a"].get<std::string>().size(), 1004u);
}

TEST(bounded_json, mixed_objects_and_arrays_count_together) {
  std::string text;
  for (std::size_t i = 0; i < max_json_depth; ++i)
    text += i % 2 == 0 ? R"({"k":)" : "[";
  text += "1";
  for (std::size_t i = max_json_depth; i-- > 0;)
    text += i % 2 == 0 ? "}" : "]";
  EXPECT_FALSE(parse_client_json(text).is_discarded());
  EXPECT_TRUE(parse_client_json("[" + text + "]").is_discarded());
}

TEST(bounded_json, invalid_json_is_discarded_but_not_too_deep) {
  bool too_deep = true;
  EXPECT_TRUE(parse_client_json("{\"a\":", &too_deep).is_discarded());
  EXPECT_FALSE(too_deep);
  EXPECT_TRUE(parse_client_json("\"\xC3\x28\"").is_discarded());  // invalid UTF-8
}

} // namespace
} // namespace presence::api
