#pragma once

// Shared set-up of the Web API / REST end-to-end tests: a real presenced on 127.0.0.1:0 with a
// temporary data directory and an admin token, and helpers that speak its two APIs over HTTP.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"

namespace presence::test {

using json = nlohmann::json;

class api_server {
 public:
  /// Starts presenced with `extra` options on a fresh data directory.
  explicit api_server(std::vector<std::string> extra = {})
    : process_(std::make_unique<presenced_process>(dir_.sub("data"), std::move(extra))),
      http_(std::make_unique<http_client>(process_->host(), process_->port())) {}

  presenced_process& process() { return *process_; }
  http_client& http() { return *http_; }
  const std::string& admin() const { return process_->admin_token(); }

  /// Stops presenced (SIGTERM) and starts it again on the same data directory.
  int restart(std::vector<std::string> extra = {}) {
    int code = process_->stop();
    process_.reset();
    process_ = std::make_unique<presenced_process>(dir_.sub("data"), std::move(extra));
    http_ = std::make_unique<http_client>(process_->host(), process_->port());
    return code;
  }

  /// POST /api/<method> with a JSON body and a Bearer token (none when `token` is empty).
  http_response slack_raw(const std::string& method, const std::string& token,
                          const json& body = json::object()) {
    header_list headers;
    if (!token.empty())
      headers.emplace_back("Authorization", "Bearer " + token);
    return http_->post_json("/api/" + method, body, headers);
  }
  /// Same, returning the JSON body (HTTP status must be 200).
  json slack(const std::string& method, const std::string& token, const json& body = json::object()) {
    auto res = slack_raw(method, token, body);
    EXPECT_EQ(res.status, 200) << method << ": " << res.body;
    return res.json();
  }

  /// A Rocket.Chat REST call: GET with `query`, or POST with a JSON body.
  http_response rc(const std::string& verb, const std::string& method, const std::string& token,
                   const std::string& user_id, const json& body = json::object(),
                   const std::string& query = {}) {
    header_list headers;
    if (!token.empty())
      headers.emplace_back("X-Auth-Token", token);
    if (!user_id.empty())
      headers.emplace_back("X-User-Id", user_id);
    auto target = "/api/v1/" + method + (query.empty() ? "" : "?" + query);
    if (verb == "GET")
      return http_->get(target, headers);
    return http_->post_json(target, body, headers);
  }

  /// Creates user `id` through admin.users.create and returns its token.
  std::string create_user(const std::string& id, bool is_admin = false) {
    auto answer = slack("admin.users.create", admin(),
                        {{"id", id}, {"name", "Name of " + id}, {"admin", is_admin}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return answer.value("token", "");
  }

 private:
  temp_dir dir_;
  std::unique_ptr<presenced_process> process_;
  std::unique_ptr<http_client> http_;
};

/// A fixture whose tests share one presenced per suite (each test uses its own user ids).
/// `Suite` (the fixture deriving from it) gives each suite its own server.
template <class Suite>
class shared_server_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<api_server>(); }
  static void TearDownTestSuite() { server_.reset(); }
  api_server& server() { return *server_; }
  static inline std::unique_ptr<api_server> server_;
};

/// Asserts a Slack answer is {"ok":false,"error":code}.
inline void expect_slack_error(const json& answer, const std::string& code) {
  EXPECT_EQ(answer.value("ok", true), false) << answer.dump();
  EXPECT_EQ(answer.value("error", ""), code) << answer.dump();
}

/// Asserts a Slack answer is ok and returns it.
inline const json& expect_ok(const json& answer) {
  EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
  return answer;
}

} // namespace presence::test
