#pragma once

// Shared set-up of the real-time end-to-end tests: a real presenced process, users created
// through the admin Web API, sockets opened through rtm.connect, frame predicates.

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"
#include "support/ws_client.hpp"

namespace presence::test {

using json = nlohmann::json;
using std::chrono::milliseconds;

/// A presenced with a short broadcast window (tests see changes quickly) plus `extra` options.
class rtm_server {
 public:
  explicit rtm_server(std::vector<std::string> extra = {})
    : process_(dir_.sub("data"), with_defaults(std::move(extra))),
      http_(process_.host(), process_.port()) {}

  uint16_t port() const { return process_.port(); }
  presenced_process& process() { return process_; }

  /// Calls Slack Web API `method` with a JSON body as `token`.
  json call(const std::string& method, const std::string& token, const json& body = json::object()) {
    return http_.post_json("/api/" + method, body, {{"Authorization", "Bearer " + token}}).json();
  }

  /// Creates user `id` and returns its token (empty, and a test failure, when refused).
  std::string create_user(const std::string& id) {
    auto answer = call("admin.users.create", process_.admin_token(), {{"id", id}, {"name", id}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return answer.value("token", "");
  }

  /// rtm.connect as `token`: the WebSocket URL's path and query ("/rtm?ticket=…").
  std::string rtm_target(const std::string& token, bool batch_presence_aware = true) {
    json body = json::object();
    if (!batch_presence_aware)
      body["batch_presence_aware"] = "0";
    auto answer = call("rtm.connect", token, body);
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    auto url = answer.value("url", "");
    auto scheme_end = url.find("://");
    auto path = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
    return path == std::string::npos ? std::string{} : url.substr(path);
  }

  /// A socket of `token`'s user, opened through rtm.connect, with `hello` already read.
  std::unique_ptr<ws_client> open(const std::string& token, bool batch_presence_aware = true) {
    auto client = std::make_unique<ws_client>();
    auto err = client->connect(port(), rtm_target(token, batch_presence_aware));
    EXPECT_EQ(err, "") << process_.stderr_text();
    if (!err.empty())
      return client;
    auto hello = client->next_json(milliseconds(5000));
    EXPECT_TRUE(hello.has_value()) << "no frame after the handshake";
    if (hello) {
      EXPECT_EQ(hello->value("type", ""), "hello") << hello->dump();
    }
    return client;
  }

  /// Whether presenced logged a line containing both `first` and `second`.
  bool logged(const std::string& first, const std::string& second) {
    std::istringstream lines{process_.stderr_text()};
    for (std::string line; std::getline(lines, line);)
      if (line.find(first) != std::string::npos && line.find(second) != std::string::npos)
        return true;
    return false;
  }

  /// The value of the Prometheus sample `name` on /metrics (-1 when absent).
  double metric(const std::string& name) {
    auto body =
      http_.get("/metrics", {{"Authorization", "Bearer " + process_.admin_token()}}).body;
    auto at = body.find("\n" + name + " ");
    if (at == std::string::npos)
      return -1;
    return std::stod(body.substr(at + name.size() + 2));
  }

 private:
  static std::vector<std::string> with_defaults(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--flush-interval-ms", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  temp_dir dir_;
  presenced_process process_;
  http_client http_;
};

/// A test suite sharing one presenced, started once for the suite with `Suite::server_args()`.
template <class Suite>
class rtm_suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new rtm_server(Suite::server_args()); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  rtm_server& server() { return *server_; }

 private:
  inline static rtm_server* server_ = nullptr;
};

/// A presence_change frame (either form) naming `user` with Slack presence `presence`.
inline bool is_change(const json& frame, const std::string& user, const std::string& presence) {
  if (frame.value("type", "") != "presence_change" || frame.value("presence", "") != presence)
    return false;
  if (frame.contains("user"))
    return frame["user"] == user;
  if (!frame.contains("users"))
    return false;
  for (const auto& u : frame["users"])
    if (u == user)
      return true;
  return false;
}

/// An error frame with `msg` (presence's error name).
inline bool is_error(const json& frame, const std::string& msg) {
  return frame.value("type", "") == "error" && frame.contains("error") &&
         frame["error"].value("msg", "") == msg;
}

} // namespace presence::test
