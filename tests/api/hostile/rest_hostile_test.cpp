// End-to-end bad-input catalogue of the Rocket.Chat-compatible REST API (/api/v1/<endpoint>,
// api/README.md): each row is one hostile request with its exact HTTP status and Rocket.Chat
// `{"success":false,"error":…,"errorType":…}` answer. Between any two rows another user makes a
// write that must be acknowledged. After the catalogue the server is up, the write acknowledged
// before it is intact, and the log holds every acknowledged write and nothing that was refused.

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "api_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

using hostile::refused_marker;
using hostile::repeat;

/// One row: what is sent and what must come back.
struct rest_case {
  std::string what;
  std::string verb;
  std::string endpoint;       ///< after /api/v1/, may carry a query string
  std::string token;          ///< X-Auth-Token; empty = not sent
  std::string user_id;        ///< X-User-Id; empty = not sent
  std::string body;           ///< JSON unless `content_type` says otherwise
  int status;
  std::string error_type;     ///< `errorType`; empty = a success is expected
  std::string logs = {};      ///< the status text an accepted row writes (for mallory)
  std::string content_type = "application/json";
  std::string raw = {};       ///< when set: these bytes go over a raw socket instead
};

struct users {
  std::string mallory, alice, admin, revoked, inactive;
};

rest_case post(std::string what, std::string endpoint, const std::string& token,
               std::string body, int status, std::string error_type, std::string logs = {}) {
  return {std::move(what), "POST", std::move(endpoint), token, token.empty() ? "" : "mallory",
          std::move(body), status, std::move(error_type), std::move(logs)};
}

rest_case get(std::string what, std::string endpoint, const std::string& token, int status,
              std::string error_type) {
  return {std::move(what), "GET", std::move(endpoint), token, token.empty() ? "" : "mallory",
          "", status, std::move(error_type)};
}

/// users.setStatus as mallory with a JSON body.
rest_case set_status(std::string what, const users& u, std::string body, int status,
                     std::string error_type, std::string logs = {}) {
  return post(std::move(what), "users.setStatus", u.mallory, std::move(body), status,
              std::move(error_type), std::move(logs));
}

/// A raw POST users.setStatus with mallory's token and the given X-User-Id lines.
std::string raw_set_status(const users& u, const std::string& id_headers, const std::string& body) {
  return "POST /api/v1/users.setStatus HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
         "X-Auth-Token: " + u.mallory + "\r\n" + id_headers +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string ids(int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += (i == 0 ? "u" : ",u") + std::to_string(i);
  return out;
}

std::vector<rest_case> catalogue(const users& u) {
  const std::string r = refused_marker;
  const auto& m = u.mallory;
  const std::string unauthorized = "unauthorized";
  const std::string invalid_params = "error-invalid-params";
  const std::string not_allowed = "error-not-allowed";
  const std::string e_acute = "\xC3\xA9";
  auto text_100 = "rest-100" + repeat(e_acute, 92);
  const std::string message = R"({"message":")" + r + R"("})";
  std::vector<rest_case> rows = {
    // Authentication: the token and the user id must belong together.
    {"no credentials", "GET", "users.getStatus", "", "", "", 401, unauthorized},
    {"a token without X-User-Id", "GET", "users.getStatus", m, "", "", 401, unauthorized},
    {"X-User-Id without a token", "GET", "users.getStatus", "", "mallory", "", 401, unauthorized},
    {"a user's token with another user's id", "POST", "users.setStatus", m, "alice", message, 401,
     unauthorized},
    {"the admin token with alice's id", "POST", "users.setStatus", u.admin, "alice", message, 401,
     unauthorized},
    {"an unknown token", "GET", "users.getStatus", "xoxp-" + std::string(64, 'f'), "mallory", "",
     401, unauthorized},
    {"a revoked token", "POST", "users.setStatus", u.revoked, "rex", message, 401, unauthorized},
    {"the token of a deactivated user", "POST", "users.setStatus", u.inactive, "ivy", message, 401,
     unauthorized},
    {"alice's id injected before mallory's", "POST", "users.setStatus", "", "", "", 401,
     unauthorized, {}, "", raw_set_status(u, "X-User-Id: alice\r\nX-User-Id: mallory\r\n", message)},
    {"alice's id injected after mallory's acts on mallory only", "POST", "users.setStatus", "", "",
     "", 200, "", "duplicate header", "",
     raw_set_status(u, "X-User-Id: mallory\r\nX-User-Id: alice\r\n",
                    R"({"message":"duplicate header"})")},
    // Endpoints and verbs.
    post("an unknown endpoint", "users.hack", m, "{}", 404, ""),
    post("a trailing slash", "users.setStatus/", m, message, 404, ""),
    post("an endpoint in the wrong case", "Users.SetStatus", m, message, 404, ""),
    get("GET on a POST endpoint", "users.setStatus", m, 405, "error-method-not-allowed"),
    post("POST on a GET endpoint", "users.getStatus", m, "{}", 405, "error-method-not-allowed"),
    // Bodies.
    set_status("broken JSON", u, R"({"message":")", 400, "error-invalid-json"),
    set_status("a JSON array body", u, R"(["message"])", 400, "error-invalid-json"),
    set_status("JSON nested 100,000 levels", u, R"({"message":)" + hostile::nested(100'000) + "}",
               400, "error-invalid-json"),
    set_status("invalid UTF-8 in a JSON string", u, R"({"message":")" + r + "\xFF\"}", 400,
               "error-invalid-json"),
    get("malformed percent-encoding in the query", "users.getStatus?userId=%ZZ", m, 400,
        invalid_params),
    {"an unsupported content type", "POST", "users.setStatus", m, "mallory", "<m>" + r + "</m>",
     400, invalid_params, {}, "text/xml"},
    // Wrong values and types.
    set_status("status=sleeping", u, R"({"status":"sleeping"})", 400, "error-invalid-status"),
    set_status("status is a number", u, R"({"status":5})", 400, "error-invalid-status"),
    set_status("status is an operator object", u, R"({"status":{"$ne":null}})", 400,
               invalid_params),
    set_status("neither status nor message", u, R"({"statusText":"away"})", 400, invalid_params),
    set_status("a message of 101 code points", u,
               R"({"message":")" + r + repeat(e_acute, 101 - r.size()) + "\"}", 400,
               "error-invalid-message"),
    set_status("a message of 100 code points is accepted", u,
               R"({"message":")" + text_100 + "\"}", 200, "", text_100),
    {"a message of invalid UTF-8 (form)", "POST", "users.setStatus", m, "mallory",
     "message=" + r + "%C3%28", 400, "error-invalid-message", {},
     "application/x-www-form-urlencoded"},
    set_status("a control character in the message", u, R"({"message":")" + r + R"(\u0007"})", 400,
               "error-invalid-message"),
    set_status("markup in the message", u, R"({"message":"<!channel> )" + r + "\"}", 400,
               "error-invalid-message"),
    set_status("unknown fields are ignored", u,
               R"({"message":"fields ignored","avatarUrl":")" + r + "\"}", 200, "",
               "fields ignored"),
    // Ids and users.
    get("users.presence with 501 ids", "users.presence?ids=" + ids(501), m, 400, invalid_params),
    get("users.presence without ids", "users.presence", m, 400, invalid_params),
    get("users.presence with only commas", "users.presence?ids=,,,", m, 400, invalid_params),
    get("an unknown userId", "users.getStatus?userId=nobody", m, 400, "error-invalid-user"),
    get("a userId with a path", "users.getStatus?userId=..%2Fadmin", m, 400, "error-invalid-user"),
    // Another user, admin endpoints.
    set_status("the status of another user", u, R"({"userId":"alice","status":"busy"})", 403,
               not_allowed),
    post("custom-user-status.create by a user", "custom-user-status.create", m,
         R"({"customUserStatusData":{"name":")" + r + R"(","statusType":"busy"}})", 403,
         not_allowed),
    post("custom-user-status.delete by a user", "custom-user-status.delete", m,
         R"({"customUserStatusId":"P1"})", 403, not_allowed),
    get("presence.getConnections by a user", "presence.getConnections", m, 403, not_allowed),
    post("presence.enableBroadcast by a user", "presence.enableBroadcast", m, "{}", 403,
         not_allowed),
    get("a negative offset", "custom-user-status.list?offset=-1", m, 400, invalid_params),
    get("a count that is not a number", "custom-user-status.list?count=abc", m, 400,
        invalid_params),
    // Presence preferences: out of range, wrong types, someone else's.
    post("an idleTimeLimit under 30 s", "users.setPreferences", m,
         R"({"data":{"idleTimeLimit":29}})", 400, invalid_params),
    post("an idleTimeLimit over 7 days", "users.setPreferences", m,
         R"({"data":{"idleTimeLimit":604801}})", 400, invalid_params),
    post("an idleTimeLimit as text", "users.setPreferences", m,
         R"({"data":{"idleTimeLimit":"60"}})", 400, invalid_params),
    post("an enableAutoAway that is not a boolean", "users.setPreferences", m,
         R"({"data":{"enableAutoAway":1}})", 400, invalid_params),
    post("preferences that are not an object", "users.setPreferences", m, R"({"data":[60]})", 400,
         invalid_params),
    post("the preferences of another user", "users.setPreferences", m,
         R"({"userId":"alice","data":{"idleTimeLimit":60}})", 403, not_allowed),
    get("the preferences of another user", "users.getPreferences?userId=alice", m, 403,
        not_allowed),
  };
  return rows;
}

TEST(rest_hostile, catalogue_gets_documented_errors_and_loses_nothing) {
  api_server server({"--max-body-bytes", "1048576"});  // bodies up to 1 MiB
  users u;
  u.admin = server.admin();
  u.alice = server.create_user("alice");
  auto walt = server.create_user("walt");
  u.mallory = server.create_user("mallory");
  auto rex = server.slack("admin.users.create", server.admin(), {{"id", "rex"}, {"name", "Rex"}});
  u.revoked = rex.value("token", "");
  expect_ok(server.slack("admin.tokens.revoke", server.admin(), {{"token_id", rex["token_id"]}}));
  u.inactive = server.create_user("ivy");
  expect_ok(server.slack("admin.users.deactivate", server.admin(), {{"user", "ivy"}}));
  auto before = server.rc("POST", "users.setStatus", u.alice, "alice",
                          {{"status", "away"}, {"message", "before the storm"}});
  ASSERT_EQ(before.status, 200) << before.body;

  auto rows = catalogue(u);
  std::vector<std::string> mallory_texts;
  std::vector<std::string> acknowledged;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + row.what);
    int status = 0;
    json answer;
    if (!row.raw.empty()) {
      auto reply = hostile::raw_exchange(server.process().port(), row.raw);
      status = reply.status;
      answer = reply.json_body();
    } else {
      header_list headers;
      if (!row.token.empty())
        headers.emplace_back("X-Auth-Token", row.token);
      if (!row.user_id.empty())
        headers.emplace_back("X-User-Id", row.user_id);
      auto res = server.http().request(row.verb, "/api/v1/" + row.endpoint, row.body, headers,
                                       row.verb == "GET" ? "" : row.content_type);
      status = res.status;
      answer = res.json();
    }
    EXPECT_EQ(status, row.status) << answer.dump().substr(0, 300);
    if (row.status == 200) {
      EXPECT_EQ(answer.value("success", false), true) << answer.dump();
    } else {
      EXPECT_EQ(answer.value("success", true), false) << answer.dump();
      EXPECT_EQ(answer.value("errorType", ""), row.error_type) << answer.dump();
      auto error = answer.value("error", "");
      EXPECT_FALSE(error.empty()) << answer.dump();
      if (!row.error_type.empty() && row.status != 401) {
        EXPECT_NE(error.find("[" + row.error_type + "]"), std::string::npos) << error;
      }
    }
    if (!row.logs.empty())
      mallory_texts.push_back(row.logs);
    auto ack = "ack " + std::to_string(i);
    auto acked = server.rc("POST", "users.setStatus", walt, "walt", {{"message", ack}});
    EXPECT_EQ(acked.status, 200) << acked.body;
    acknowledged.push_back(ack);
  }
  std::printf("rest catalogue: %zu rows\n", rows.size());

  EXPECT_EQ(server.http().get("/healthz").status, 200);
  auto alice = server.rc("GET", "users.getStatus", u.alice, "alice");
  EXPECT_EQ(alice.json().value("message", ""), "before the storm") << alice.body;
  EXPECT_EQ(server.slack("users.getPresence", u.alice).value("manual_presence", ""), "away");
  auto walt_now = server.rc("GET", "users.getStatus", walt, "walt");
  EXPECT_EQ(walt_now.json().value("message", ""), acknowledged.back());

  auto audit = hostile::stop_and_audit(server.process());
  hostile::expect_catalogue_writes(audit, acknowledged, mallory_texts);
  EXPECT_EQ(audit.count("$workspace", "preset_created"), 0u);
  EXPECT_EQ(audit.count("$workspace", "service_enabled"), 0u);
  EXPECT_EQ(audit.count("mallory", "preferences_set"), 0u);
  EXPECT_EQ(audit.count("alice", "preferences_set"), 0u);
}

} // namespace
} // namespace presence::test
