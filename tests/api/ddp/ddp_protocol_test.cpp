// The DDP wire format (api/src/ddp/ddp_protocol.hpp): parsing client messages and Meteor's
// shapes for answers, errors and Rocket.Chat's stream events.

#include "ddp/ddp_protocol.hpp"

#include <gtest/gtest.h>

namespace presence::api::ddp {
namespace {

using json = nlohmann::json;

template <class T>
const T& as(const client_message& msg) {
  EXPECT_TRUE(std::holds_alternative<T>(msg)) << "another kind of message";
  static const T fallback{};
  return std::holds_alternative<T>(msg) ? std::get<T>(msg) : fallback;
}

TEST(ddp_protocol, parses_the_messages_presence_serves) {
  auto method = as<method_message>(
    parse_client_message(R"({"msg":"method","id":"1","method":"login","params":[{"resume":"t"}]})"));
  EXPECT_EQ(method.id, "1");
  EXPECT_EQ(method.method, "login");
  EXPECT_EQ(method.params, json::parse(R"([{"resume":"t"}])"));
  auto bare = as<method_message>(parse_client_message(R"({"msg":"method","id":"2","method":"m"})"));
  EXPECT_EQ(bare.params, json::array());
  auto sub = as<sub_message>(
    parse_client_message(R"({"msg":"sub","id":"s","name":"stream-notify-logged","params":["user-status",false]})"));
  EXPECT_EQ(sub.name, "stream-notify-logged");
  EXPECT_EQ(sub.params[0], "user-status");
  EXPECT_EQ(as<unsub_message>(parse_client_message(R"({"msg":"unsub","id":"s"})")).id, "s");
  EXPECT_EQ(as<ping_message>(parse_client_message(R"({"msg":"ping","id":"x"})")).id, "x");
  EXPECT_TRUE(as<ping_message>(parse_client_message(R"({"msg":"ping"})")).id.is_null());
  as<pong_message>(parse_client_message(R"({"msg":"pong"})"));
}

TEST(ddp_protocol, names_what_is_wrong_with_a_message_as_meteor_does) {
  EXPECT_EQ(as<bad_message>(parse_client_message("nope")).reason, "Parse error");
  EXPECT_EQ(as<bad_message>(parse_client_message(std::string(65, '[') + std::string(65, ']'))).reason,
            "Parse error");
  EXPECT_EQ(as<bad_message>(parse_client_message("{}")).reason, "Bad request");
  EXPECT_EQ(as<bad_message>(parse_client_message(R"({"msg":"added"})")).reason, "Bad request");
  EXPECT_EQ(as<bad_message>(parse_client_message(R"({"msg":"method","id":1,"method":"m"})")).reason,
            "Malformed method invocation");
  EXPECT_EQ(
    as<bad_message>(parse_client_message(R"({"msg":"method","id":"1","method":"m","params":3})")).reason,
    "Malformed method invocation");
  EXPECT_EQ(as<bad_message>(parse_client_message(R"({"msg":"sub","id":"1"})")).reason,
            "Malformed subscription");
  auto bad = as<bad_message>(parse_client_message(R"({"msg":"teleport","x":1})"));
  EXPECT_EQ(bad.offending, json::parse(R"({"msg":"teleport","x":1})"));
}

TEST(ddp_protocol, negotiates_only_a_version_the_client_lists_and_the_server_speaks) {
  auto parse = [](const char* text) { return as<connect_message>(parse_client_message(text)); };
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"1","support":["1","pre2","pre1"]})")), "1");
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"pre2","support":["pre2"]})")), "pre2");
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"2","support":["2"]})")), "");
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"1","support":["pre1"]})")), "");
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"1"})")), "");
  EXPECT_EQ(negotiate(parse(R"({"msg":"connect","version":"1","support":["1",2]})")), "");
}

TEST(ddp_protocol, renders_meteor_errors_and_answers) {
  EXPECT_EQ(meteor_error(403, "Logged out"),
            json::parse(R"({"isClientSafe":true,"error":403,"reason":"Logged out",
                            "message":"Logged out [403]","errorType":"Meteor.Error"})"));
  EXPECT_EQ(meteor_error("too-many-requests", "Slow down", {{"timeToReset", 1000}})["details"],
            json::parse(R"({"timeToReset":1000})"));
  EXPECT_EQ(json::parse(render_result("1", true)), json::parse(R"({"msg":"result","id":"1","result":true})"));
  EXPECT_EQ(json::parse(render_result("1", nullptr)), json::parse(R"({"msg":"result","id":"1"})"));
  EXPECT_EQ(json::parse(render_updated("1")), json::parse(R"({"msg":"updated","methods":["1"]})"));
  EXPECT_EQ(json::parse(render_ready("s")), json::parse(R"({"msg":"ready","subs":["s"]})"));
  EXPECT_EQ(json::parse(render_nosub("s")), json::parse(R"({"msg":"nosub","id":"s"})"));
  EXPECT_EQ(json::parse(render_failed()), json::parse(R"({"msg":"failed","version":"1"})"));
  EXPECT_EQ(json::parse(render_connected("c1")), json::parse(R"({"msg":"connected","session":"c1"})"));
  // An echoed message with invalid UTF-8 inside a string is still rendered.
  EXPECT_NO_THROW(render_error("Bad request", json("\xff")));
}

TEST(ddp_protocol, user_status_events_use_rocket_chats_codes_and_shape) {
  EXPECT_EQ(status_code(events::presence_value::offline), 0);
  EXPECT_EQ(status_code(events::presence_value::online), 1);
  EXPECT_EQ(status_code(events::presence_value::away), 2);
  EXPECT_EQ(status_code(events::presence_value::busy), 3);
  EXPECT_EQ(status_code(events::presence_value::disabled), 0);
  EXPECT_EQ(json::parse(render_user_status("bob", events::presence_value::busy, "focus")),
            json::parse(R"({"msg":"changed","collection":"stream-notify-logged","id":"id",
                            "fields":{"eventName":"user-status","args":[["bob","bob",3,"focus"]]}})"));
  EXPECT_EQ(json::parse(render_service_status(presence::engine::service_state{false, 3, 2, "admin"}))
              ["fields"]["args"],
            json::parse(R"([{"enabled":false,"reason":"admin","connections":3,"limit":2}])"));
}

} // namespace
} // namespace presence::api::ddp
