// Fault injection, slow subscribers, end to end: the real presenced; 32 WebSocket clients on raw
// sockets with a small receive buffer subscribe to 20 users and then stop reading, while the test
// floods those users with status changes over the Web API (each change is one frame to each
// subscriber). The server must cut every slow client off as a slow consumer (the counter
// `presence_ws_closed_slow_consumer_total`, close 1008 "slow consumer") and its resident memory
// must stay under a stated bound, far below what unbounded queues would have held.

#include <chrono>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faults/raw_ws_client.hpp"
#include "support/http_client.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"
#include "support/ws_client.hpp"

namespace presence::test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr int slow_clients = 32;
constexpr int subjects = 20;
constexpr int flood_calls = 16000;
constexpr std::size_t backlog_bound = 256 * 1024;  // --max-backlog-bytes
/// The stated bound: resident memory may grow by at most this much during the flood (the event
/// log's memtables take ~1 KB per change, sessions at most backlog_bound each before the cut).
constexpr long rss_growth_bound_kib = 48 * 1024;

/// The pid of the running process whose command line holds `data_dir` (-1 when none): the
/// presenced of this test, whose data directory is a fresh temporary one.
pid_t pid_of_server(const std::string& data_dir) {
  for (const auto& entry : std::filesystem::directory_iterator{"/proc"}) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::ifstream cmdline{entry.path() / "cmdline"};
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(data_dir) != std::string::npos && args.find("presenced") != std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

/// VmRSS of `pid` in KiB (-1 when unreadable).
long rss_kib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

class slow_subscriber_test : public ::testing::Test {
 protected:
  slow_subscriber_test()
    : server_(dir_.sub("data"),
              {"--rate-limit-per-s", "0", "--max-backlog-bytes", std::to_string(backlog_bound),
               "--max-connections-per-user", "0", "--connect-rate-per-s", "0",
               "--ping-interval-ms", "60000", "--flush-interval-ms", "20"}),
      http_(server_.host(), server_.port()),
      pid_(pid_of_server(dir_.sub("data"))) {}

  json call(const std::string& method, const std::string& token, const json& body) {
    return http_.post_json("/api/" + method, body, {{"Authorization", "Bearer " + token}}).json();
  }
  std::string create_user(const std::string& id) {
    return call("admin.users.create", server_.admin_token(), {{"id", id}, {"name", id}})
      .value("token", "");
  }
  std::string rtm_target(const std::string& token) {
    auto url = call("rtm.connect", token, json::object()).value("url", "");
    auto path = url.find("/rtm");
    return path == std::string::npos ? std::string{} : url.substr(path);
  }
  double metric(const std::string& name) {
    auto body =
      http_.get("/metrics", {{"Authorization", "Bearer " + server_.admin_token()}}).body;
    auto at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
  }
  std::size_t logged_lines_with(const std::string& text) {
    auto log = server_.stderr_text();
    std::size_t count = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
      ++count;
    return count;
  }

  temp_dir dir_;
  presenced_process server_;
  http_client http_;
  pid_t pid_;
};

TEST_F(slow_subscriber_test, slow_clients_are_cut_off_and_memory_stays_bounded) {
  json ids = json::array();
  for (int i = 0; i < subjects; ++i) {
    ASSERT_NE(create_user("s" + std::to_string(i)), "");
    ids.push_back("s" + std::to_string(i));
  }
  auto reader = create_user("reader");
  const json subscribe = {{"type", "presence_sub"}, {"ids", ids}};
  std::vector<std::unique_ptr<raw_ws_client>> clients;
  for (int i = 0; i < slow_clients; ++i) {
    clients.push_back(std::make_unique<raw_ws_client>());
    ASSERT_EQ(clients.back()->open(server_.port(), rtm_target(reader), 4096), "");
    ASSERT_TRUE(clients.back()->send_text(subscribe.dump()));
  }
  const std::string slow_metric = "presence_ws_closed_slow_consumer_total";
  const double cut_before = metric(slow_metric);
  const long rss_before = rss_kib(pid_);
  ASSERT_GT(rss_before, 0);

  // The call number, a space and 90 four-byte code points (at most 100 code points): each change
  // is a frame of ~420 bytes to every slow client.
  std::string emoji;
  for (int i = 0; i < 90; ++i)
    emoji += "\xF0\x9F\x98\x80";
  long rss_peak = rss_before;
  int calls = 0;
  int failures = 0;
  int calls_at_all_cut = -1;
  bool drained = false;
  auto started = steady::now();
  for (; calls < flood_calls && steady::now() - started < std::chrono::seconds(180); ++calls) {
    auto subject = "s" + std::to_string(calls % subjects);
    auto answer = call("users.profile.set", server_.admin_token(),
                       {{"user", subject},
                        {"profile", {{"status_text", std::to_string(calls) + " " + emoji}}}});
    if (!answer.value("ok", false) && ++failures <= 3)
      ADD_FAILURE() << "flood call " << calls << ": " << answer.dump();
    if (calls % 250 != 0)
      continue;
    rss_peak = std::max(rss_peak, rss_kib(pid_));
    if (!drained && metric(slow_metric) - cut_before >= slow_clients) {
      // Every slow client was cut: read what each got, promptly, while the server still waits
      // (at most two heartbeat intervals, capped at 10 s) to send its close frame.
      calls_at_all_cut = calls;
      for (auto& client : clients)
        EXPECT_TRUE(client->drain_until_closed(milliseconds(5000)));
      drained = true;
    }
  }
  auto flood_ms = std::chrono::duration_cast<milliseconds>(steady::now() - started).count();
  rss_peak = std::max(rss_peak, rss_kib(pid_));
  const long rss_after = rss_kib(pid_);
  EXPECT_EQ(failures, 0);

  // Every slow client was cut off as a slow consumer, and the server said so on the wire.
  EXPECT_EQ(metric(slow_metric) - cut_before, slow_clients);
  ASSERT_TRUE(drained) << "not every slow client was cut off after " << calls << " changes";
  int close_frames = 0;
  for (auto& client : clients) {
    if (client->close_code() == 0)
      continue;  // the server gave up waiting for this peer and dropped the socket
    ++close_frames;
    EXPECT_EQ(client->close_code(), 1008u);
    EXPECT_EQ(client->close_reason(), "slow consumer");
  }
  EXPECT_GT(close_frames, 0);
  EXPECT_EQ(logged_lines_with("as a slow consumer"), static_cast<std::size_t>(slow_clients));
  EXPECT_EQ(logged_lines_with("rtm reader: disconnected"), static_cast<std::size_t>(slow_clients));

  // Memory: bounded, and far below what the flood offered the slow clients (a lower bound on
  // what unbounded queues would have held: the status text alone, per client and change).
  const double offered_mib = double(calls) * slow_clients * (emoji.size() + 1) / (1 << 20);
  std::cout << "flood: " << calls << " changes in " << flood_ms << " ms; all " << slow_clients
            << " slow clients cut after " << calls_at_all_cut << " changes; close frames seen "
            << close_frames << "; offered to slow clients >= " << offered_mib << " MiB\n"
            << "presenced VmRSS: before " << rss_before / 1024.0 << " MiB, peak "
            << rss_peak / 1024.0 << " MiB, after " << rss_after / 1024.0 << " MiB (bound: +"
            << rss_growth_bound_kib / 1024 << " MiB)\n";
  if (test::rss_bounds_apply) {  // not under ASan (test_support.hpp)
    EXPECT_LE(rss_peak - rss_before, rss_growth_bound_kib);
  }
  EXPECT_GE(offered_mib, 2.0 * rss_growth_bound_kib / 1024) << "the flood is too small to tell";

  // The server still serves: a new socket gets hello, the last change reads back.
  ws_client fresh;
  ASSERT_EQ(fresh.connect(server_.port(), rtm_target(reader)), "");
  auto hello = fresh.next_json(milliseconds(5000));
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->value("type", ""), "hello");
  auto last = calls - 1;
  auto profile = call("users.profile.get", server_.admin_token(),
                      {{"user", "s" + std::to_string(last % subjects)}});
  EXPECT_EQ(profile["profile"].value("status_text", ""), std::to_string(last) + " " + emoji);
}

} // namespace
} // namespace presence::test
