#pragma once

// Shared steps of the DDP (`/websocket`, Rocket.Chat's real-time stream) end-to-end tests:
// opening a socket, the `connect` handshake, a resume-token login, matching stream events.

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rtm/rtm_fixture.hpp"

namespace presence::test::ddp {

using json = nlohmann::json;
using std::chrono::milliseconds;

/// A socket on /websocket with Meteor's `{"server_id":"0"}` already read.
inline std::unique_ptr<ws_client> open_socket(rtm_server& server) {
  auto client = std::make_unique<ws_client>();
  auto err = client->connect(server.port(), "/websocket");
  EXPECT_EQ(err, "") << server.process().stderr_text();
  auto first = client->next_json(milliseconds(5000));
  EXPECT_TRUE(first.has_value() && first->value("server_id", "") == "0")
    << (first ? first->dump() : "nothing");
  return client;
}

/// Sends DDP `connect` (version 1) and returns the `connected` message.
inline json connect(ws_client& client) {
  EXPECT_TRUE(client.send(R"({"msg":"connect","version":"1","support":["1","pre2","pre1"]})"));
  auto answer = client.await([](const json& m) { return m.value("msg", "") == "connected"; });
  EXPECT_TRUE(answer.has_value()) << "no connected";
  return answer.value_or(json());
}

/// The `result` of method call `id`, skipping other messages.
inline json await_result(ws_client& client, const std::string& id,
                         milliseconds timeout = milliseconds(5000)) {
  auto answer = client.await(
    [&id](const json& m) { return m.value("msg", "") == "result" && m.value("id", "") == id; },
    timeout);
  EXPECT_TRUE(answer.has_value()) << "no result for " << id;
  return answer.value_or(json());
}

/// Calls `method` with `params` as call `id` and returns its `result` message.
inline json call(ws_client& client, const std::string& id, const std::string& method,
                 json params = json::array()) {
  json frame{{"msg", "method"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  EXPECT_TRUE(client.send(frame.dump()));
  return await_result(client, id);
}

/// Logs in with resume token `token` and returns the login's `result` message.
inline json login(ws_client& client, const std::string& token, const std::string& id = "login") {
  return call(client, id, "login", json::array({{{"resume", token}}}));
}

/// A socket of `token`'s user: opened, connected, logged in.
inline std::unique_ptr<ws_client> logged_in(rtm_server& server, const std::string& token) {
  auto client = open_socket(server);
  connect(*client);
  auto answer = login(*client, token);
  EXPECT_TRUE(answer.contains("result")) << answer.dump();
  return client;
}

/// Subscribes to `event` on stream-notify-logged as sub `id`; returns the `ready` or `nosub`.
inline json subscribe(ws_client& client, const std::string& id, const std::string& event) {
  json frame{{"msg", "sub"},
             {"id", id},
             {"name", "stream-notify-logged"},
             {"params", json::array({event, {{"useCollection", false}, {"args", json::array()}}})}};
  EXPECT_TRUE(client.send(frame.dump()));
  auto answer = client.await([&id](const json& m) {
    auto msg = m.value("msg", "");
    return (msg == "ready" && m.contains("subs") && m["subs"].size() == 1 && m["subs"][0] == id) ||
           (msg == "nosub" && m.value("id", "") == id);
  });
  EXPECT_TRUE(answer.has_value()) << "no ready/nosub for " << id;
  return answer.value_or(json());
}

/// A `user-status` stream event for `user` with status code `code` (and `text` when given).
inline bool is_user_status(const json& m, const std::string& user, int code,
                           const char* text = nullptr) {
  if (m.value("msg", "") != "changed" || m.value("collection", "") != "stream-notify-logged")
    return false;
  const auto& fields = m.value("fields", json::object());
  if (fields.value("eventName", "") != "user-status" || !fields.contains("args"))
    return false;
  const auto& args = fields["args"];
  if (args.size() != 1 || !args[0].is_array() || args[0].size() != 4)
    return false;
  const auto& entry = args[0];
  return entry[0] == user && entry[1] == user && entry[2] == code &&
         (text == nullptr || entry[3] == text);
}

/// A DDP `{"msg":"error","reason":REASON}` message.
inline bool is_error(const json& m, const std::string& reason) {
  return m.value("msg", "") == "error" && m.value("reason", "") == reason;
}

/// Sends a DDP ping with a fresh id and waits for its pong: everything the server sent before
/// answering it has been read (into `skipped`, when given). False when no pong came.
inline bool barrier(ws_client& client, std::vector<json>* skipped = nullptr) {
  static int next = 0;
  auto id = "barrier-" + std::to_string(++next);
  if (!client.send(json{{"msg", "ping"}, {"id", id}}.dump()))
    return false;
  return client
    .await([&id](const json& m) { return m.value("msg", "") == "pong" && m.value("id", "") == id; },
           milliseconds(5000), skipped)
    .has_value();
}

} // namespace presence::test::ddp
