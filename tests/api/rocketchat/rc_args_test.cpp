// The REST API's pure argument mapping (api/src/rocketchat/rc_args.hpp).
#include "rocketchat/rc_args.hpp"

#include <gtest/gtest.h>

namespace presence::api::rocketchat {
namespace {

using nlohmann::json;

const events::user_record alice{"alice", "Alice", false, true, 1};
const events::user_record admin{"admin", "Admin", true, true, 1};

template <class T>
std::string refusal(const parsed<T>& p) {
  const auto* failure = std::get_if<http::rc_failure>(&p);
  return failure ? std::to_string(failure->http_status) + " " + failure->error_type : "accepted";
}

TEST(rc_args, set_status_maps_names_and_checks_in_order) {
  EXPECT_EQ(refusal(parse_set_status(json{{"userId", "bob"}, {"status", "away"}}, alice)),
            "403 error-not-allowed");
  EXPECT_EQ(refusal(parse_set_status(json::object(), alice)), "400 error-invalid-params");
  EXPECT_EQ(refusal(parse_set_status(json{{"status", "gone"}}, alice)),
            "400 error-invalid-status");
  EXPECT_EQ(refusal(parse_set_status(json{{"message", "<@U1> hi"}}, alice)),
            "400 error-invalid-message");
  auto args =
    std::get<set_status_args>(parse_set_status(json{{"userId", "bob"}, {"status", "offline"}},
                                               admin));
  EXPECT_EQ(args.user, "bob");
  EXPECT_EQ(args.mode, events::manual_mode::invisible);
  EXPECT_FALSE(args.message.has_value());
}

TEST(rc_args, get_status_user_falls_back_to_username_then_caller) {
  EXPECT_EQ(parse_get_status_user(json{{"userId", "bob"}, {"username", "carol"}}, alice), "bob");
  EXPECT_EQ(parse_get_status_user(json{{"username", "carol"}}, alice), "carol");
  EXPECT_EQ(parse_get_status_user(json{{"userId", ""}}, alice), "alice");
}

TEST(rc_args, presence_ids_are_a_bounded_comma_list) {
  auto ids = std::get<std::vector<std::string>>(parse_presence_ids(json{{"ids", ",a,,b,"}}, 2));
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(refusal(parse_presence_ids(json{{"ids", ",,"}}, 2)), "400 error-invalid-params");
  EXPECT_EQ(refusal(parse_presence_ids(json{{"ids", "a,b,c"}}, 2)), "400 error-invalid-params");
}

TEST(rc_args, custom_status_arguments) {
  auto list = std::get<status_list_args>(parse_status_list(json::object()));
  EXPECT_EQ(list.offset, 0);
  EXPECT_EQ(list.count, 50);
  EXPECT_EQ(refusal(parse_status_list(json{{"count", "-1"}})), "400 error-invalid-params");
  EXPECT_EQ(refusal(parse_status_create(json{{"name", "x"}})), "400 error-the-field-is-required");
  auto top = std::get<custom_status_args>(parse_status_create(json{{"name", "x"}, {"statusType", "Busy"}}));
  EXPECT_EQ(top.name, "x");
  EXPECT_EQ(top.type, events::presence_value::busy);
  EXPECT_EQ(refusal(parse_status_create(json{{"customUserStatusData", {{"statusType", "x"}}}})),
            "400 error-invalid-status");
  EXPECT_EQ(refusal(parse_status_create(json{{"customUserStatusData", {{"name", "Focus"}}}})),
            "400 error-the-field-is-required");
  auto update = std::get<custom_status_args>(
    parse_status_update(json{{"_id", "p1"}, {"statusType", "busy"}}));
  EXPECT_EQ(update.type, events::presence_value::busy);
  EXPECT_FALSE(update.name.has_value());
  EXPECT_EQ(refusal(parse_status_delete(json{{"customUserStatusId", ""}})),
            "400 error-invalid-custom-user-status");
}

} // namespace
} // namespace presence::api::rocketchat
