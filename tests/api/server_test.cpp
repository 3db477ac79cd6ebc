// End-to-end: presenced as a process — start-up, configuration, operations endpoints, HTTP limits,
// rate limiting, restarts on the same data directory, clean shutdown.

#include <fstream>
#include <string>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace presence::test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(server, health_ready_and_unknown_paths) {
  api_server server;
  auto health = server.http().get("/healthz");
  EXPECT_EQ(health.status, 200);
  auto ready = server.http().get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  auto missing = server.http().get("/nothing/here");
  EXPECT_EQ(missing.status, 404);
  expect_slack_error(missing.json(), "not_found");
}

TEST(server, metrics_in_prometheus_text) {
  api_server server;
  server.create_user("m1");
  server.slack("no.such.method", server.admin());
  auto res = server.http().get("/metrics", {{"Authorization", "Bearer " + server.admin()}});
  ASSERT_EQ(res.status, 200);
  EXPECT_TRUE(contains(res.header("Content-Type"), "text/plain")) << res.header("Content-Type");
  for (const char* name :
       {"# TYPE presence_http_requests_total counter", "presence_http_errors_total ",
        "presence_ratelimited_total 0", "presence_ws_connections 0", "presence_connections 0",
        "presence_connection_limit 200", "presence_service_enabled 1"})
    EXPECT_TRUE(contains(res.body, name)) << name << "\n" << res.body;
}

/// The value of sample `name` (a full sample name, labels included) in a Prometheus text body;
/// -1 when absent.
double sample(const std::string& body, const std::string& name) {
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos)
    return -1;
  return std::stod(body.substr(at + name.size() + 2));
}

TEST(server, metrics_show_the_engine_resident_users_and_journal) {
  api_server server;
  auto token = server.create_user("m2");
  auto get = [&] {
    auto res = server.http().get("/metrics", {{"Authorization", "Bearer " + server.admin()}});
    EXPECT_EQ(res.status, 200);
    return res.body;
  };
  auto before = get();
  double appended = sample(before, "presence_events_appended_total");
  ASSERT_GE(appended, 1) << "creating the user is an event\n" << before;
  for (const char* mode : {"away", "auto", "away"})
    expect_ok(server.slack("users.setPresence", token, {{"presence", mode}}));
  auto after = get();
  // away, auto (presence_set and the activity choosing auto counts as), away.
  EXPECT_EQ(sample(after, "presence_events_appended_total"), appended + 4) << after;
  EXPECT_GE(sample(after, "presence_users_resident"), 1) << "m2's actor served the writes";
  EXPECT_EQ(sample(after, "presence_user_actor_restarts_total"), 0);
  EXPECT_EQ(sample(after, "presence_user_timers_armed_total"), 0)
    << "m2 has no connection and no expiry: no deadline to wait for\n" << after;
  EXPECT_EQ(sample(after, "presence_journal_failed_writes_total"), 0);
  double writes = sample(after, "presence_journal_writes_total");
  EXPECT_GE(writes, 4);
  EXPECT_GE(sample(after, "presence_journal_requests_total"), writes);
  // Histograms: cumulative buckets ending in +Inf, which equals _count.
  EXPECT_TRUE(contains(after, "# TYPE presence_journal_batch_events histogram")) << after;
  EXPECT_EQ(sample(after, "presence_journal_batch_events_count"), writes);
  EXPECT_EQ(sample(after, "presence_journal_batch_events_bucket{le=\"+Inf\"}"), writes);
  EXPECT_EQ(sample(after, "presence_journal_batch_events_sum"),
            sample(after, "presence_events_appended_total"));
  EXPECT_EQ(sample(after, "presence_journal_write_seconds_count"), writes);
  EXPECT_GT(sample(after, "presence_journal_write_seconds_sum"), 0);
  // Every request answered so far was timed (only successful writes are).
  EXPECT_EQ(sample(after, "presence_journal_commit_seconds_count"),
            sample(after, "presence_journal_requests_total"));
  EXPECT_LE(sample(after, "presence_journal_write_seconds_bucket{le=\"5e-05\"}"),
            sample(after, "presence_journal_write_seconds_bucket{le=\"1\"}"));
  // Every answer written before this scrape was timed: the first scrape and the three changes
  // at least (a scrape is timed after its own body is rendered).
  EXPECT_GE(sample(after, "presence_http_request_seconds_count"),
            sample(before, "presence_http_request_seconds_count") + 4) << after;
  EXPECT_EQ(sample(after, "presence_http_request_seconds_bucket{le=\"+Inf\"}"),
            sample(after, "presence_http_request_seconds_count"));
  // The broadcasters flush only for subscribers, and nobody subscribed here: both at zero.
  EXPECT_TRUE(contains(after, "# TYPE presence_broadcast_tick_late_seconds histogram")) << after;
  EXPECT_EQ(sample(after, "presence_broadcast_tick_late_seconds_count"), 0);
  EXPECT_EQ(sample(after, "presence_broadcast_flush_seconds_bucket{le=\"+Inf\"}"), 0);
}

TEST(server, keep_alive_serves_many_requests_on_one_connection) {
  api_server server;
  auto token = server.create_user("ka");
  for (int i = 0; i < 20; ++i) {
    auto res = server.slack_raw("auth.test", token);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.header("Connection").find("close"), std::string::npos);
  }
}

TEST(server, body_and_header_limits) {
  api_server server({"--max-body-bytes", "2048", "--max-header-bytes", "2048"});
  auto big_body = server.http().post_form("/api/auth.test", "x=" + std::string(4096, 'a'));
  EXPECT_EQ(big_body.status, 413);
  auto big_header = server.http().get("/healthz", {{"X-Padding", std::string(4096, 'h')}});
  EXPECT_EQ(big_header.status, 431);
  EXPECT_EQ(server.http().get("/healthz").status, 200);  // the server carries on
}

TEST(server, malformed_http_gets_400_and_the_server_carries_on) {
  api_server server;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket{ioc};
  socket.connect({boost::asio::ip::make_address(server.process().host()), server.process().port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  std::string answer;
  boost::system::error_code ec;
  char buf[1024];
  for (std::size_t n; (n = socket.read_some(boost::asio::buffer(buf), ec)) > 0 && !ec;)
    answer.append(buf, n);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_TRUE(contains(answer, "bad_request")) << answer;
  EXPECT_EQ(server.http().get("/healthz").status, 200);
}

TEST(server, transfer_encoding_without_final_chunked_is_refused_not_smuggled) {
  // Beast reads such a request as bodiless: its body used to be served as a second request.
  api_server server;
  for (const char* coding : {"gzip", "chunked, gzip"}) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket{ioc};
    socket.connect({boost::asio::ip::make_address(server.process().host()), server.process().port()});
    boost::asio::write(socket, boost::asio::buffer(
                                 std::string("POST /api/auth.test HTTP/1.1\r\nHost: x\r\n"
                                             "Transfer-Encoding: ") + coding +
                                 "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string answer;
    boost::system::error_code ec;
    char buf[1024];
    for (std::size_t n; (n = socket.read_some(boost::asio::buffer(buf), ec)) > 0 && !ec;)
      answer.append(buf, n);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << coding << ": " << answer;
    EXPECT_TRUE(contains(answer, "bad_request")) << answer;
    EXPECT_FALSE(contains(answer, "ok\n")) << "the body was served as a request: " << answer;
  }
  EXPECT_EQ(server.http().get("/healthz").status, 200);
}

TEST(server, rate_limit_answers_429_with_retry_after) {
  test::temp_dir dir;
  auto config = dir.sub("presenced.json");
  std::ofstream{config} << R"({"rate_limit_per_s": 0.01, "rate_limit_burst": 2})";
  api_server server({"--config", config});
  auto token = server.create_user("rl");  // the admin's bucket, not rl's
  EXPECT_EQ(server.slack_raw("auth.test", token).status, 200);
  EXPECT_EQ(server.slack_raw("auth.test", token).status, 200);
  auto limited = server.slack_raw("auth.test", token);
  EXPECT_EQ(limited.status, 429);
  expect_slack_error(limited.json(), "ratelimited");
  EXPECT_GE(std::stoi(limited.header("Retry-After")), 1);
  auto rc = server.rc("GET", "users.getStatus", token, "rl");
  EXPECT_EQ(rc.status, 429);
  EXPECT_EQ(rc.json()["errorType"], "error-too-many-requests");
  EXPECT_FALSE(rc.header("Retry-After").empty());
  auto metrics = server.http().get("/metrics", {{"Authorization", "Bearer " + server.admin()}});
  EXPECT_TRUE(contains(metrics.body, "presence_ratelimited_total 2")) << metrics.body;
}

TEST(server, restart_keeps_users_tokens_settings_and_status) {
  api_server server;
  auto token = server.create_user("persist");
  server.slack("users.setPresence", token, {{"presence", "away"}});
  server.slack("users.profile.set", token,
               {{"profile", {{"status_text", "Still here"}, {"status_emoji", ":wave:"}}}});
  server.slack("admin.settings.set", server.admin(), {{"key", "idle_timeout"}, {"value", "120"}});
  EXPECT_EQ(server.restart(), 0);
  auto who = expect_ok(server.slack("auth.test", token));
  EXPECT_EQ(who["user_id"], "persist");
  EXPECT_EQ(server.slack("users.getPresence", token)["manual_away"], true);
  auto profile = server.slack("users.profile.get", token)["profile"];
  EXPECT_EQ(profile["status_text"], "Still here");
  EXPECT_EQ(profile["status_emoji"], ":wave:");
  EXPECT_EQ(server.slack("admin.settings.get", server.admin())["settings"]["idle_timeout"], 120);
}

TEST(server, generates_and_keeps_an_admin_token_file_when_none_is_given) {
  test::temp_dir dir;
  auto data = dir.sub("data");
  std::string token;
  {
    presenced_process first(data, {}, "");
    EXPECT_TRUE(contains(first.stderr_text(), "admin-token")) << first.stderr_text();
    auto path = data + "/admin-token";
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
    std::ifstream{path} >> token;
    ASSERT_GE(token.size(), 32u);
    http_client http{first.host(), first.port()};
    auto who = http.post_json("/api/auth.test", json::object(), {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(who.json()["user_id"], "admin") << who.body;
    EXPECT_EQ(who.json()["is_admin"], true);
    EXPECT_EQ(first.stop(), 0);
  }
  presenced_process second(data, {}, "");
  EXPECT_FALSE(contains(second.stderr_text(), "generated")) << second.stderr_text();
  std::string again;
  std::ifstream{data + "/admin-token"} >> again;
  EXPECT_EQ(again, token);
  http_client http{second.host(), second.port()};
  auto created = http.post_json("/api/admin.users.create", {{"id", "via_file_token"}},
                                {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(created.json()["ok"], true) << created.body;
}

TEST(server, admin_token_from_the_environment) {
  test::temp_dir dir;
  const std::string secret = "env-admin-token-0123456789abcdef";
  presenced_process server(dir.sub("data"), {}, "", {"PRESENCE_ADMIN_TOKEN=" + secret});
  http_client http{server.host(), server.port()};
  auto who = http.post_json("/api/auth.test", json::object(), {{"Authorization", "Bearer " + secret}});
  EXPECT_EQ(who.json()["is_admin"], true) << who.body;
  // No token file is generated when a token is configured.
  EXPECT_FALSE(std::ifstream{dir.sub("data") + "/admin-token"}.good());
}

TEST(server, workspace_settings_from_the_command_line) {
  api_server server({"--connection-limit", "5", "--idle-timeout", "90"});
  auto res = server.rc("GET", "presence.getConnections", server.admin(), "admin");
  EXPECT_EQ(res.json()["max"], 5) << res.body;
  EXPECT_EQ(server.slack("admin.settings.get", server.admin())["settings"]["idle_timeout"], 90);
}

TEST(server, bad_configuration_exits_2_with_a_clear_message) {
  test::temp_dir dir;
  auto base = std::vector<std::string>{"--data-dir", dir.sub("data"), "--listen", "127.0.0.1:0"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_presenced(args);
  };
  auto body = with({"--max-body-bytes", "1"});
  EXPECT_EQ(body.code, 2);
  EXPECT_TRUE(contains(body.stderr_text, "max_body_bytes")) << body.stderr_text;
  EXPECT_TRUE(body.stdout_text.empty());

  auto listen = run_presenced({"--data-dir", dir.sub("data"), "--listen", "nowhere"});
  EXPECT_EQ(listen.code, 2);
  EXPECT_TRUE(contains(listen.stderr_text, "listen")) << listen.stderr_text;

  auto durability = with({"--durability", "maybe"});
  EXPECT_EQ(durability.code, 2);
  EXPECT_TRUE(contains(durability.stderr_text, "durability")) << durability.stderr_text;

  auto missing = with({"--config", dir.sub("missing.json")});
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(contains(missing.stderr_text, "missing.json")) << missing.stderr_text;

  auto bad_file = dir.sub("bad.json");
  std::ofstream{bad_file} << R"({"ping_interval_ms": 5})";
  auto file = with({"--config", bad_file});
  EXPECT_EQ(file.code, 2);
  EXPECT_TRUE(contains(file.stderr_text, "ping_interval_ms")) << file.stderr_text;

  EXPECT_EQ(with({"--no-such-flag"}).code, 2);
  auto help = with({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_TRUE(contains(help.stdout_text + help.stderr_text, "--rate-limit-per-s"));
}

TEST(server, a_busy_address_exits_2) {
  api_server first;
  test::temp_dir dir;
  auto second = run_presenced({"--data-dir", dir.sub("data"), "--listen",
                               "127.0.0.1:" + std::to_string(first.process().port()),
                               "--admin-token", default_admin_token});
  EXPECT_EQ(second.code, 2);
  EXPECT_TRUE(contains(second.stderr_text, "bind")) << second.stderr_text;
}

TEST(server, sigterm_stops_cleanly_with_exit_0) {
  api_server server;
  server.create_user("bye");
  EXPECT_EQ(server.process().stop(), 0);
  EXPECT_TRUE(contains(server.process().stderr_text(), "stopped")) << server.process().stderr_text();
}

} // namespace
} // namespace presence::test
