// End-to-end catalogue of work an unauthenticated or abusive client can make the server do
// (api/README.md, Limits): open connections are capped per client address; request headers have
// one deadline (`header_timeout_ms`) that a trickle of bytes does not renew; the default body
// limit is 64 KiB; failed authentications are limited per client address (hostile and
// well-behaved clients on distinct loopback source addresses), and a header token is checked
// before the body is parsed; every WebSocket message, whatever its kind, counts against a
// per-socket rate (`msg_rate_per_s`), the excess dropped with one `ratelimited` error per burst
// while the socket stays open; a full blocking pool answers 503 with Retry-After instead of
// queueing; running out of descriptors makes the accept loop back off instead of spinning.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"

namespace presence::test {
namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

/// Opens a TCP connection to 127.0.0.1:`port`; -1 on failure.
int connect_raw(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    return fd;
  if (fd >= 0)
    ::close(fd);
  return -1;
}

/// A TCP connection to 127.0.0.1:`port` from source address `source` (bound before connecting,
/// so per-address limits see distinct clients on loopback); -1 on failure.
int connect_from(const char* source, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0)
    return fd;
  if (fd >= 0)
    ::close(fd);
  return -1;
}

/// Everything `fd` receives until the peer closes (or 10 s pass without a byte); closes `fd`.
std::string read_to_end(int fd) {
  std::string answer;
  pollfd p{fd, POLLIN, 0};
  char buf[4096];
  while (::poll(&p, 1, 10'000) > 0) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

/// One request with Connection: close from `source`; the whole answer, "" when none came.
std::string exchange_from(const char* source, uint16_t port, const std::string& request) {
  int fd = connect_from(source, port);
  if (fd < 0)
    return {};
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return {};
  }
  return read_to_end(fd);
}

/// auth.test as `token` with `body` (JSON).
std::string auth_test_request(const std::string& token, const std::string& body = "{}") {
  return "POST /api/auth.test HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

bool has(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

/// Whether the server closed `fd` (read end of stream or reset) within `wait`.
bool closed_within(int fd, milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0)
    return false;
  char byte = 0;
  return ::recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

TEST(bounded_work, a_header_trickle_is_cut_at_the_header_deadline) {
  rtm_server server({"--header-timeout-ms", "1000"});
  int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  auto start = clock_type::now();
  std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  // One header line every 200 ms: each byte would renew a per-read timeout, not the deadline.
  bool closed = false;
  for (int line = 0; line < 25 && !closed; ++line) {
    std::string more = "X-Trickle-" + std::to_string(line) + ": y\r\n";
    if (::send(fd, more.data(), more.size(), MSG_NOSIGNAL) < 0)
      break;
    closed = closed_within(fd, milliseconds(200));
  }
  auto lasted = std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
  ::close(fd);
  EXPECT_TRUE(closed) << "still open after " << lasted.count() << " ms of trickling";
  EXPECT_LT(lasted.count(), 2500) << "cut only after " << lasted.count() << " ms";
  // The server still answers others.
  auto healthy = hostile::raw_exchange(server.port(),
                                       "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(healthy.status, 200);
}

TEST(bounded_work, the_default_body_limit_is_64_kib) {
  rtm_server server;
  auto token = server.create_user("bodie");
  auto request = [&](std::size_t bytes) {
    std::string body = "presence=away&pad=" + std::string(bytes - 18, 'x');
    return hostile::raw_exchange(server.port(),
                                 "POST /api/users.setPresence HTTP/1.1\r\nHost: x\r\n"
                                 "Authorization: Bearer " + token + "\r\n"
                                 "Content-Type: application/x-www-form-urlencoded\r\n"
                                 "Content-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body);
  };
  EXPECT_EQ(request(64 * 1024).status, 200);
  auto over = request(64 * 1024 + 1);
  EXPECT_EQ(over.status, 413) << over.head;
  EXPECT_EQ(over.json_body().value("error", ""), "request_too_large") << over.body;
}

TEST(bounded_work, failed_authentications_are_limited_per_client_address) {
  rtm_server server({"--failed-auth-per-s", "0.05", "--failed-auth-burst", "5"});
  auto good = server.create_user("goodie");
  const std::string bad = "xoxp-" + std::string(40, 'b');
  const auto port = server.port();
  for (int i = 0; i < 5; ++i) {
    auto answer = exchange_from("127.0.0.2", port, auth_test_request(bad));
    EXPECT_TRUE(has(answer, "invalid_auth")) << "guess " << i << ": " << answer;
  }
  // The guessing address is refused before any token is looked up, even with a good token.
  auto blocked = exchange_from("127.0.0.2", port, auth_test_request(bad));
  EXPECT_EQ(blocked.rfind("HTTP/1.1 429", 0), 0u) << blocked;
  EXPECT_TRUE(has(blocked, "Retry-After: ")) << blocked;
  auto blocked_good = exchange_from("127.0.0.2", port, auth_test_request(good));
  EXPECT_EQ(blocked_good.rfind("HTTP/1.1 429", 0), 0u) << blocked_good;
  // Other addresses are not affected.
  auto other = exchange_from("127.0.0.3", port, auth_test_request(good));
  EXPECT_TRUE(has(other, "\"user_id\":\"goodie\"")) << other;
  auto other_bad = exchange_from("127.0.0.3", port, auth_test_request(bad));
  EXPECT_TRUE(has(other_bad, "invalid_auth")) << other_bad;
}

TEST(bounded_work, a_header_token_is_checked_before_the_body_is_parsed) {
  rtm_server server;
  const std::string bad = "xoxp-" + std::string(40, 'c');
  auto answer = exchange_from("127.0.0.4", server.port(),
                              auth_test_request(bad, "{\"deep\":" + hostile::nested(60) + "x"));
  EXPECT_TRUE(has(answer, "invalid_auth")) << "the body was parsed first: " << answer;
}

/// CPU time (user + system, in clock ticks) process `pid` has used so far; -1 when unreadable.
long cpu_ticks(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto end = text.rfind(')');
  if (end == std::string::npos)
    return -1;
  std::istringstream fields{text.substr(end + 2)};
  std::string field;
  long utime = 0;
  long stime = 0;
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14)
      utime = std::stol(field);
    if (i == 15)
      stime = std::stol(field);
  }
  return utime + stime;
}

TEST(bounded_work, running_out_of_descriptors_backs_off_instead_of_spinning) {
  rtm_server server;
  const pid_t pid = server.process().pid();
  std::size_t open_now = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    (void)entry;
    ++open_now;
  }
  rlimit original{};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &original), 0) << std::strerror(errno);
  rlimit low{open_now + 16, original.rlim_max};  // the soft limit only: it can be raised again
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);
  std::vector<int> clients;
  for (int i = 0; i < 64; ++i) {
    int fd = connect_raw(server.port());  // the kernel completes it; the server cannot accept
    ASSERT_GE(fd, 0);
    clients.push_back(fd);
  }
  // A measurement window, not a synchronisation: the server now fails to accept all the time.
  const long before = cpu_ticks(pid);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long used = cpu_ticks(pid) - before;
  EXPECT_LT(used, ::sysconf(_SC_CLK_TCK) / 2)
    << "the accept loop spun: " << used << " ticks in 2 s";
  EXPECT_TRUE(has(server.process().stderr_text(), "accepting again in"));
  for (int fd : clients)
    ::close(fd);
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &original, nullptr), 0) << std::strerror(errno);
  auto healthy = hostile::raw_exchange(
    server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(healthy.status, 200) << "the server did not resume accepting";
}

TEST(bounded_work, open_connections_are_capped_per_client_address) {
  rtm_server server({"--max-connections-per-address", "3"});
  const auto port = server.port();
  const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(connect_from("127.0.0.2", port));
    ASSERT_GE(idle.back(), 0);
  }
  // The fourth from that address is closed without an answer; another address is served.
  EXPECT_EQ(exchange_from("127.0.0.2", port, healthz), "");
  EXPECT_EQ(exchange_from("127.0.0.3", port, healthz).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_GE(server.metric("presence_connections_refused_total"), 1);
  // A closed connection gives its place back.
  ::close(idle.back());
  idle.pop_back();
  EXPECT_TRUE(hostile::eventually([&] {
    return exchange_from("127.0.0.2", port, healthz).rfind("HTTP/1.1 200", 0) == 0;
  }));
  for (int fd : idle)
    ::close(fd);
}

TEST(bounded_work, a_full_blocking_pool_answers_503_instead_of_queueing) {
  rtm_server server({"--admin-threads", "1", "--max-blocking-queue", "1",
                     "--failed-auth-per-s", "0"});
  // 400 authentication-cache misses at once (distinct unknown tokens) for one admin thread.
  constexpr int requests = 400;
  std::vector<int> fds;
  for (int i = 0; i < requests; ++i) {
    fds.push_back(connect_from("127.0.0.5", server.port()));
    ASSERT_GE(fds.back(), 0);
  }
  for (int i = 0; i < requests; ++i) {
    auto request = auth_test_request("xoxp-miss-" + std::to_string(i) + std::string(30, 'm'));
    ASSERT_EQ(::send(fds[i], request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
  }
  int busy = 0;
  int refused = 0;
  for (int fd : fds) {
    auto answer = read_to_end(fd);
    if (answer.rfind("HTTP/1.1 503", 0) == 0) {
      ++busy;
      EXPECT_TRUE(has(answer, "Retry-After: 1")) << answer;
      EXPECT_TRUE(has(answer, "service_unavailable")) << answer;
    } else if (has(answer, "invalid_auth")) {
      ++refused;
    }
  }
  EXPECT_GE(busy, 1) << "nothing was refused for a full queue";
  EXPECT_EQ(busy + refused, requests) << "every request got one of the two answers";
  // The server still answers a good token.
  auto token = server.create_user("after_the_burst");
  EXPECT_TRUE(has(exchange_from("127.0.0.6", server.port(), auth_test_request(token)),
                  "\"user_id\":\"after_the_burst\""));
}

TEST(bounded_work, every_websocket_message_kind_is_rate_limited_per_socket) {
  rtm_server server({"--msg-rate-per-s", "5"});
  auto token = server.create_user("chatty");
  auto socket = server.open(token);
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(socket->send(json{{"type", "ping"}, {"id", i}}));
  int pongs = 0;
  int limited = 0;
  // Everything the server sent for the burst: a final ping after the refill is answered.
  std::optional<json> frame;
  auto deadline = clock_type::now() + std::chrono::seconds(5);
  bool answered_later = false;
  while (!answered_later && clock_type::now() < deadline) {
    frame = socket->next_json(milliseconds(1100));
    if (!frame) {
      ASSERT_TRUE(socket->send(json{{"type", "ping"}, {"id", 1000}}));
      continue;
    }
    if (frame->value("type", "") == "pong" && frame->value("reply_to", 0) == 1000)
      answered_later = true;
    else if (frame->value("type", "") == "pong")
      ++pongs;
    else if (is_error(*frame, "ratelimited"))
      ++limited;
  }
  EXPECT_LE(pongs, 6) << "a burst of 40 pings was not limited";
  EXPECT_GE(pongs, 5);
  EXPECT_EQ(limited, 1) << "one ratelimited error per burst";
  EXPECT_TRUE(answered_later) << "the socket did not recover after the burst";
  EXPECT_FALSE(socket->closed());
}

} // namespace
} // namespace presence::test
