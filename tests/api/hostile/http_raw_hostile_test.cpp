// End-to-end bad-input catalogue of the HTTP transport: raw bytes over a real TCP socket, for
// what an HTTP client library would refuse to send (broken request lines, path tricks, header
// injection, request smuggling, huge headers and bodies). Each row has the exact status and error
// the server must answer. Then a flood of near-limit bodies, with the server's resident memory
// bounded. After each: the server is up and the log holds every acknowledged write, nothing else.

#include <cstdio>
#include <string>
#include <vector>

#include "api_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

using hostile::refused_marker;
using hostile::repeat;

/// One row: the bytes sent and what must come back.
struct raw_case {
  std::string what;
  std::string bytes;
  int status;                 ///< HTTP status of the answer
  std::string body_has;       ///< a piece of the answer's body
  std::string body_lacks = {};  ///< what must not be in it
};

/// `GET target` with Host and Connection: close, plus `headers` (already "Name: value\r\n" lines).
std::string get(const std::string& target, const std::string& headers = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers +
         "\r\n";
}

/// `POST target` with a JSON body, the given header lines and Host.
std::string post(const std::string& target, const std::string& headers, const std::string& body,
                 const std::string& host = "127.0.0.1") {
  return "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + headers +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string bearer(const std::string& token) {
  return "Authorization: Bearer " + token + "\r\n";
}

const std::string bad_request = R"("error":"bad_request")";
const std::string too_large = R"("error":"request_too_large")";
const std::string unknown_method = R"("error":"unknown_method")";
const std::string not_found = R"("error":"not_found")";
const std::string metrics_text = "presence_http_requests_total";

std::vector<raw_case> catalogue(const std::string& mallory, const std::string& admin) {
  const std::string r = refused_marker;
  const std::string create = R"({"id":")" + r + R"(-user","name":"x"})";
  const std::string chunked = "Transfer-Encoding: chunked\r\n";
  return {
    // Request lines.
    {"not HTTP at all", "NOT HTTP AT ALL\r\n\r\n", 400, bad_request},
    {"an HTTP/0.9 request line", "GET /healthz\r\n\r\n", 400, bad_request},
    {"HTTP version 2.7", "GET /healthz HTTP/2.7\r\nHost: x\r\n\r\n", 400, bad_request},
    {"a space inside the target", get("/api/auth test"), 400, bad_request},
    {"a control character in the target", get("/api/auth.test\x01"), 400, bad_request},
    {"a lower-case verb", "get /api/auth.test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     405, R"("error":"method_not_supported")"},
    {"an absolute-form target", get("http://evil.example/api/auth.test", bearer(mallory)), 404,
     not_found},
    {"an asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404,
     not_found},
    // Path tricks: nothing is normalised, so no trick reaches another handler.
    {"/api/../metrics", get("/api/../metrics", bearer(admin)), 200, unknown_method, metrics_text},
    {"/api/%2e%2e/metrics", get("/api/%2e%2e/metrics", bearer(admin)), 200, unknown_method,
     metrics_text},
    {"/healthz/../metrics", get("/healthz/../metrics", bearer(admin)), 404, not_found,
     metrics_text},
    {"/api/v1/../../metrics", get("/api/v1/../../metrics", bearer(admin)), 404, "does not exist",
     metrics_text},
    {"a NUL escape after the method", get("/api/users.getPresence%00", bearer(mallory)), 200,
     unknown_method},
    {"a user method dot-dotted into an admin one",
     post("/api/users.getPresence/../admin.users.create", bearer(mallory), create), 200,
     unknown_method},
    {"a double slash", get("//api/auth.test", bearer(mallory)), 404, not_found},
    {"/rtm without an upgrade", get("/rtm", bearer(mallory)), 426, R"("upgrade_required")"},
    {"/metrics without a token", get("/metrics"), 401, R"("not_authed")", metrics_text},
    {"/metrics with a user's token", get("/metrics", bearer(mallory)), 403, R"("not_admin")",
     metrics_text},
    // Header injection.
    {"a NUL byte in a header value", get("/healthz", std::string("X-A: a\0b\r\n", 10)), 400,
     bad_request},
    {"a bare CR in a header value", get("/healthz", "X-A: a\rInjected: 1\r\n"), 400, bad_request},
    {"bare LF line endings", "GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n", 400,
     bad_request},
    {"a space in a header name", get("/healthz", "Bad Header: x\r\n"), 400, bad_request},
    {"an empty header name", get("/healthz", ": x\r\n"), 400, bad_request},
    {"the admin token folded into a user's Authorization",
     post("/api/admin.users.create", bearer(mallory) + " " + admin + "\r\n", create), 200,
     R"("error":"invalid_auth")"},
    {"a second Authorization header with the admin token",
     post("/api/admin.users.create", bearer(mallory) + bearer(admin), create), 200,
     R"("error":"not_admin")"},
    {"an injected Host in rtm.connect",
     post("/api/rtm.connect", bearer(mallory), "{}", "evil.example/\"><script>"), 200,
     R"("url":"ws://127.0.0.1:)"},
    // Request smuggling and bodies.
    {"two different Content-Length headers",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
     400, bad_request},
    {"Content-Length with chunked Transfer-Encoding",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n" + chunked +
       "\r\n0\r\n\r\n",
     400, bad_request},
    {"a negative Content-Length",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, bad_request},
    {"Transfer-Encoding gzip smuggling a second request (was served)",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" +
       get("/api/admin.users.create?id=" + r + "-user", bearer(admin)),
     400, bad_request},
    {"Transfer-Encoding chunked, gzip (chunked not last)",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" +
       get("/healthz"),
     400, bad_request},
    {"Transfer-Encoding gzip before a Content-Length",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
     "Content-Length: 2\r\n\r\n{}",
     400, bad_request},
    {"a malformed chunk size",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\n" + chunked + "\r\nzz\r\n{}\r\n0\r\n\r\n", 400,
     bad_request},
    {"a Content-Length of 99,999,999,999",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413,
     too_large},
    {"Expect: 100-continue with 2 MiB announced",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2097152"
     "\r\n\r\n",
     413, too_large},
    {"a 1 MiB + 1 byte body", post("/api/auth.test", bearer(mallory), std::string((1 << 20) + 1, ' ')),
     413, too_large},
    {"a chunked body over 1 MiB",
     "POST /api/auth.test HTTP/1.1\r\nHost: x\r\n" + chunked + "\r\n100000\r\n" +
       std::string(1 << 20, ' ') + "\r\n10\r\n" + std::string(16, ' ') + "\r\n0\r\n\r\n",
     413, too_large},
    {"a 20 KiB header", get("/healthz", "X-Pad: " + std::string(20 << 10, 'h') + "\r\n"), 431,
     R"("request_header_fields_too_large")"},
    {"a 20 KiB target", get("/api/auth.test?x=" + std::string(20 << 10, 'q')), 431,
     R"("request_header_fields_too_large")"},
  };
}

TEST(http_raw_hostile, catalogue_gets_documented_errors_and_loses_nothing) {
  api_server server({"--max-body-bytes", "1048576"});  // bodies up to 1 MiB
  auto alice = server.create_user("alice");
  auto walt = server.create_user("walt");
  auto mallory = server.create_user("mallory");
  expect_ok(server.slack("users.profile.set", alice, {{"profile", {{"status_text", "before"}}}}));

  auto rows = catalogue(mallory, server.admin());
  std::vector<std::string> acknowledged;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + row.what);
    auto reply = hostile::raw_exchange(server.process().port(), row.bytes);
    EXPECT_EQ(reply.status, row.status) << reply.head << "\n" << reply.body.substr(0, 300);
    EXPECT_NE(reply.body.find(row.body_has), std::string::npos) << reply.body.substr(0, 300);
    if (!row.body_lacks.empty()) {
      EXPECT_EQ(reply.body.find(row.body_lacks), std::string::npos) << reply.body.substr(0, 300);
    }
    auto ack = "ack " + std::to_string(i);
    expect_ok(server.slack("users.profile.set", walt, {{"profile", {{"status_text", ack}}}}));
    acknowledged.push_back(ack);
  }
  std::printf("raw http catalogue: %zu rows\n", rows.size());

  EXPECT_EQ(server.http().get("/healthz").status, 200);
  EXPECT_EQ(server.slack("users.profile.get", alice)["profile"].value("status_text", ""), "before");
  auto audit = hostile::stop_and_audit(server.process());
  EXPECT_EQ(audit.fields("walt", "status_set", "text"), acknowledged);
  EXPECT_EQ(audit.fields("alice", "status_set", "text"), std::vector<std::string>{"before"});
  EXPECT_EQ(audit.count("mallory"), 0u) << "mallory's requests were all refused";
}

/// 200 requests of near-limit bodies (1 MiB each: deep nesting, 101+ code points, over the limit)
/// must leave the server's resident memory within a fixed bound of where it stood after a warm-up
/// round of the same requests: nothing per request is kept.
TEST(http_raw_hostile, flood_of_near_limit_bodies_keeps_memory_bounded) {
  constexpr long bound_kib = 16 << 10;  // 16 MiB over ~200 MiB of refused bodies
  // Bodies up to 1 MiB; a good token's refused bodies count against its rate limit: off here.
  api_server server({"--max-body-bytes", "1048576", "--rate-limit-per-s", "0"});
  auto walt = server.create_user("walt");
  const std::size_t limit = 1 << 20;
  const std::string deep = R"({"profile":)" + hostile::nested((limit - 16) / 2) + "}";
  const std::string long_text = R"({"profile":{"status_text":")" + refused_marker +
                                repeat("\xC3\xA9", (limit - 64) / 2) + R"("}})";
  // Over the limit: raw, since the server answers 413 and closes before reading it all.
  const std::string over = post("/api/users.profile.set", bearer(walt), std::string(limit + 1, ' '));
  header_list auth{{"Authorization", "Bearer " + walt}};
  auto round = [&](int requests) {
    for (int i = 0; i < requests; ++i) {
      if (i % 3 == 2) {
        ASSERT_EQ(hostile::raw_exchange(server.process().port(), over).status, 413);
        continue;
      }
      auto res = server.http().request("POST", "/api/users.profile.set", i % 3 == 0 ? deep : long_text,
                                       auth, "application/json");
      ASSERT_EQ(res.status, 200) << res.body.substr(0, 200);
      expect_slack_error(res.json(), i % 3 == 0 ? "invalid_json" : "too_long");
    }
  };
  round(30);  // warm-up: buffers and allocator arenas reach their working size
  long before = hostile::rss_kib(server.process().pid());
  round(200);
  long after = hostile::rss_kib(server.process().pid());
  std::printf("flood of 200 near-limit bodies: VmRSS %ld KiB -> %ld KiB (growth %ld KiB, bound %ld KiB)\n",
              before, after, after - before, bound_kib);
  ASSERT_GT(before, 0);
  if (test::rss_bounds_apply) {  // not under ASan (test_support.hpp)
    EXPECT_LE(after - before, bound_kib);
  }

  EXPECT_EQ(server.http().get("/healthz").status, 200);
  expect_ok(server.slack("users.profile.set", walt, {{"profile", {{"status_text", "after"}}}}));
  auto audit = hostile::stop_and_audit(server.process());
  EXPECT_EQ(audit.fields("walt", "status_set", "text"), std::vector<std::string>{"after"});
}

} // namespace
} // namespace presence::test
