#include "http/request_params.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::api::http {
namespace {

TEST(percent_decode, decodes_escapes_and_plus) {
  EXPECT_EQ(percent_decode("a%20b+c", true).value(), "a b c");
  EXPECT_EQ(percent_decode("a%20b+c", false).value(), "a b+c");
  EXPECT_EQ(percent_decode("%7B%22x%22%3A1%7D", true).value(), "{\"x\":1}");
  EXPECT_EQ(percent_decode("%e2%9c%93", true).value(), "\xe2\x9c\x93");
}

TEST(percent_decode, rejects_malformed_escapes) {
  EXPECT_FALSE(percent_decode("%", true).has_value());
  EXPECT_FALSE(percent_decode("%2", true).has_value());
  EXPECT_FALSE(percent_decode("%zz", true).has_value());
  EXPECT_FALSE(percent_decode("ab%g1", true).has_value());
}

TEST(percent_encode, round_trips) {
  std::string text = "a b&c=d/é:~";
  auto encoded = percent_encode(text);
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  EXPECT_EQ(encoded.find('&'), std::string::npos);
  EXPECT_EQ(percent_decode(encoded, false).value(), text);
}

TEST(parse_urlencoded, splits_pairs_last_value_wins) {
  auto params = nlohmann::json::object();
  ASSERT_OK(parse_urlencoded("a=1&b=x%20y&&flag&a=2", params));
  EXPECT_EQ(params["a"], "2");
  EXPECT_EQ(params["b"], "x y");
  EXPECT_EQ(params["flag"], "");
  EXPECT_EQ(params.size(), 3u);
}

TEST(parse_urlencoded, rejects_bad_escape_and_empty_name) {
  auto params = nlohmann::json::object();
  ASSERT_ERRC(parse_urlencoded("a=%zz", params), errc::invalid_argument);
  ASSERT_ERRC(parse_urlencoded("=value", params), errc::invalid_argument);
}

TEST(collect_params, merges_query_and_json_body) {
  auto params = collect_params("user=U1&x=q", "application/json; charset=utf-8",
                               R"({"x":"body","profile":{"status_text":"hi"},"n":5})");
  ASSERT_OK(params);
  EXPECT_EQ((*params)["user"], "U1");
  EXPECT_EQ((*params)["x"], "body");
  EXPECT_EQ((*params)["profile"]["status_text"], "hi");
  EXPECT_EQ((*params)["n"], 5);
}

TEST(collect_params, reads_form_bodies_with_or_without_content_type) {
  auto form = collect_params("", "application/x-www-form-urlencoded", "presence=away&token=t");
  ASSERT_OK(form);
  EXPECT_EQ((*form)["presence"], "away");
  auto bare = collect_params("", "", "presence=auto");
  ASSERT_OK(bare);
  EXPECT_EQ((*bare)["presence"], "auto");
}

TEST(collect_params, reports_invalid_json_and_form_data) {
  ASSERT_ERRC(collect_params("", "application/json", "{nope"), errc::invalid_json);
  ASSERT_ERRC(collect_params("", "application/json", "[1,2]"), errc::invalid_json);
  ASSERT_ERRC(collect_params("", "application/x-www-form-urlencoded", "a=%"), errc::invalid_argument);
  ASSERT_ERRC(collect_params("", "multipart/form-data; boundary=x", "--x"), errc::invalid_argument);
  ASSERT_ERRC(collect_params("a=%q", "", ""), errc::invalid_argument);
}

TEST(collect_params, refuses_json_bodies_nested_too_deep) {
  // 200 KB of nesting in `profile` used to crash presenced when the handler copied it.
  auto body = R"({"profile":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  auto params = collect_params("", "application/json", body);
  ASSERT_ERRC(params, errc::invalid_json);
  EXPECT_NE(params.error().message.find("deeper than"), std::string::npos);
}

TEST(valid_param_name, accepts_slack_style_names_only) {
  EXPECT_TRUE(valid_param_name("status_text"));
  EXPECT_TRUE(valid_param_name("batch_presence_aware"));
  EXPECT_FALSE(valid_param_name(""));
  EXPECT_FALSE(valid_param_name("bad name"));
  EXPECT_FALSE(valid_param_name("a[b]"));
  EXPECT_FALSE(valid_param_name(std::string(65, 'a')));
}

TEST(param_accessors, convert_and_flag_malformed_values) {
  auto params = nlohmann::json{{"s", "text"}, {"i", "42"}, {"neg", "-7"}, {"j", 9},
                               {"b", "TRUE"}, {"z", "0"}, {"bad", "4x"}, {"o", {{"k", 1}}}};
  EXPECT_EQ(param_string(params, "s").value(), "text");
  EXPECT_EQ(param_string(params, "j").value(), "9");
  EXPECT_FALSE(param_string(params, "o").has_value());
  EXPECT_FALSE(param_string(params, "missing").has_value());

  bool malformed = true;
  EXPECT_EQ(param_int(params, "i", &malformed).value(), 42);
  EXPECT_FALSE(malformed);
  EXPECT_EQ(param_int(params, "neg", &malformed).value(), -7);
  EXPECT_EQ(param_int(params, "j", &malformed).value(), 9);
  EXPECT_FALSE(param_int(params, "missing", &malformed).has_value());
  EXPECT_FALSE(malformed);
  EXPECT_FALSE(param_int(params, "bad", &malformed).has_value());
  EXPECT_TRUE(malformed);

  EXPECT_TRUE(param_bool(params, "b", false, &malformed));
  EXPECT_FALSE(malformed);
  EXPECT_FALSE(param_bool(params, "z", true, &malformed));
  EXPECT_TRUE(param_bool(params, "missing", true, &malformed));
  param_bool(params, "s", false, &malformed);
  EXPECT_TRUE(malformed);
}

TEST(param_unix_us, accepts_integers_and_decimals_as_numbers_or_strings) {
  auto params = nlohmann::json{{"i", 1700000000}, {"s", "1700000000"}, {"d", "1700000000.25"},
                               {"n", 1.5}, {"neg", -1}, {"text", "soon"}, {"e", "1e9"}};
  bool malformed = true;
  EXPECT_EQ(param_unix_us(params, "i", &malformed).value(), 1700000000LL * 1000000);
  EXPECT_FALSE(malformed);
  EXPECT_EQ(param_unix_us(params, "s", &malformed).value(), 1700000000LL * 1000000);
  EXPECT_EQ(param_unix_us(params, "d", &malformed).value(), 1700000000LL * 1000000 + 250000);
  EXPECT_EQ(param_unix_us(params, "n", &malformed).value(), 1500000);
  EXPECT_FALSE(param_unix_us(params, "missing", &malformed).has_value());
  EXPECT_FALSE(malformed);
  for (const char* bad : {"neg", "text", "e"}) {
    EXPECT_FALSE(param_unix_us(params, bad, &malformed).has_value()) << bad;
    EXPECT_TRUE(malformed) << bad;
  }
}

TEST(dump_json, replaces_invalid_utf8_instead_of_throwing) {
  nlohmann::json value = {{"user", std::string("bad\xff")}};
  std::string out;
  ASSERT_NO_THROW(out = dump_json(value));
  EXPECT_NE(out.find("bad"), std::string::npos);
}

} // namespace
} // namespace presence::api::http
