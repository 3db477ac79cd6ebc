#pragma once

// A real cluster for end-to-end tests: etcd (support/etcd_process.hpp) and presenced nodes on
// 127.0.0.1, each with its own data directory, joined through etcd; Slack Web API calls and
// sockets against any node.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/etcd_process.hpp"
#include "support/http_client.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"
#include "support/ws_client.hpp"

namespace presence::test {

using json = nlohmann::json;
using std::chrono::milliseconds;

class cluster_fixture : public ::testing::Test {
 protected:
  static constexpr int lease_ttl_s = 2;

  /// Starts etcd and nodes n1..n`count` (n1 owns the workspace) and waits until each is ready.
  void start(int count, std::vector<std::string> extra = {}) {
    etcd_ = std::make_unique<etcd_process>();
    for (int i = 1; i <= count; ++i)
      ids_.push_back("n" + std::to_string(i));
    extra_ = std::move(extra);
    for (int i = 0; i < count; ++i)
      nodes_.push_back(launch(i));
    for (int i = 0; i < count; ++i)
      ASSERT_TRUE(await_ready(i)) << nodes_[i]->stderr_text();
  }

  std::unique_ptr<presenced_process> launch(int i) {
    std::vector<std::string> args = {"--cluster-etcd",      etcd_->url(),
                                     "--node-id",           ids_[i],
                                     "--cluster-nodes",     join_ids(),
                                     "--partitions",        "16",
                                     "--cluster-lease-ttl", std::to_string(lease_ttl_s),
                                     "--flush-interval-ms", "20",
                                     // the tests poll and reconnect: no per-token budgets
                                     "--rate-limit-per-s",  "0",
                                     "--connect-rate-per-s", "0"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    return std::make_unique<presenced_process>(dir_.sub(ids_[i]), args);
  }

  /// /readyz answers 200 within 20 s.
  bool await_ready(int i) {
    return eventually(
      [&] {
        http_client http{nodes_[i]->host(), nodes_[i]->port()};
        return http.get("/readyz").status == 200;
      },
      std::chrono::seconds(20));
  }

  presenced_process& node(int i) { return *nodes_[i]; }
  const std::string& admin() const { return default_admin_token; }

  /// Slack Web API `method` on node `i` as `token`.
  json call(int i, const std::string& method, const std::string& token,
            const json& body = json::object()) {
    http_client http{nodes_[i]->host(), nodes_[i]->port()};
    return http.post_json("/api/" + method, body, {{"Authorization", "Bearer " + token}}).json();
  }
  /// The HTTP status of `method` on node `i`.
  unsigned status_of(int i, const std::string& method, const std::string& token,
                     const json& body = json::object()) {
    http_client http{nodes_[i]->host(), nodes_[i]->port()};
    return http.post_json("/api/" + method, body, {{"Authorization", "Bearer " + token}}).status;
  }

  /// Creates `id` through node `i`; returns its token.
  std::string create_user(int i, const std::string& id) {
    auto answer = call(i, "admin.users.create", admin(), {{"id", id}, {"name", id}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return answer.value("token", "");
  }

  /// A fresh user id whose partition node `owner` owns.
  std::string user_owned_by(int owner, const std::string& prefix) {
    for (int n = 0; n < 1000; ++n) {
      auto id = prefix + std::to_string(n);
      auto where = call(0, "admin.cluster.locate", admin(), {{"user", id}});
      if (where.value("node", "") == ids_[owner])
        return id;
    }
    ADD_FAILURE() << "no id of node " << ids_[owner];
    return prefix;
  }

  /// A socket of `token`'s user on node `i`, opened through rtm.connect, `hello` read.
  std::unique_ptr<ws_client> open_socket(int i, const std::string& token) {
    auto url = call(i, "rtm.connect", token).value("url", "");
    auto client = std::make_unique<ws_client>();
    auto err = client->connect(nodes_[i]->port(), url.substr(url.find("/rtm")));
    EXPECT_EQ(err, "") << nodes_[i]->stderr_text();
    EXPECT_TRUE(client->await_type("hello", milliseconds(5000)).has_value());
    return client;
  }

  /// Slack presence of `user` read on node `i` ("" when refused).
  std::string presence_on(int i, const std::string& user) {
    return call(i, "users.getPresence", admin(), {{"user", user}}).value("presence", "");
  }

  /// Stops every node (SIGTERM), the workspace owner last, then etcd.
  void stop_all() {
    for (auto n = nodes_.rbegin(); n != nodes_.rend(); ++n) {
      if (*n) {
        EXPECT_EQ((*n)->stop(), 0) << (*n)->stderr_text();
      }
    }
    etcd_.reset();
  }

  void TearDown() override { stop_all(); }

  std::string join_ids() const {
    std::string out;
    for (const auto& id : ids_)
      out += (out.empty() ? "" : ",") + id;
    return out;
  }

  temp_dir dir_;
  std::unique_ptr<etcd_process> etcd_;
  std::vector<std::string> ids_;
  std::vector<std::string> extra_;
  std::vector<std::unique_ptr<presenced_process>> nodes_;
};

/// A presence_change frame naming `user` with Slack presence `presence`.
inline bool is_change(const json& frame, const std::string& user, const std::string& presence) {
  if (frame.value("type", "") != "presence_change" || frame.value("presence", "") != presence)
    return false;
  if (frame.contains("user"))
    return frame["user"] == user;
  for (const auto& u : frame.value("users", json::array()))
    if (u == user)
      return true;
  return false;
}

} // namespace presence::test
