#pragma once

// Shared pieces of the bad-input catalogue (tests/api/hostile/): raw HTTP over a real TCP socket
// (for bytes an HTTP client would refuse to send), the server's resident memory, presencectl run
// on the data directory, and the audit of what the event log holds after a catalogue.
//
// Convention of every catalogue: each refused write carries the marker `refused_marker` in its
// payload, so "nothing refused was logged" is "the exported log never contains the marker".

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/presenced_process.hpp"
#include "support/test_support.hpp"

namespace presence::test::hostile {

using presence::test::eventually;

using json = nlohmann::json;

/// In the payload of every write the catalogue expects to be refused.
inline const std::string refused_marker = "REFUSED";

/// `depth` nested arrays: `[[[…]]]`.
inline std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

/// `count` copies of `piece`.
inline std::string repeat(const std::string& piece, std::size_t count) {
  std::string out;
  out.reserve(piece.size() * count);
  for (std::size_t i = 0; i < count; ++i)
    out += piece;
  return out;
}

/// What came back on a raw connection: the status of the response line (0 when none came), the
/// head, the body (per Content-Length) and whether the server closed the connection.
struct raw_reply {
  int status = 0;
  std::string head;
  std::string body;
  bool closed = false;
  json json_body() const { return json::parse(body, nullptr, false); }
};

namespace detail {

/// Whether `data` holds one whole response (head and Content-Length body).
inline bool complete_response(const std::string& data) {
  auto end = data.find("\r\n\r\n");
  if (end == std::string::npos)
    return false;
  auto head = data.substr(0, end);
  for (auto& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = head.find("\r\ncontent-length:");
  std::size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
  return data.size() >= end + 4 + length;
}

} // namespace detail

/// Connects to 127.0.0.1:`port`, writes `bytes` while reading (so a server that answers early and
/// closes, e.g. 413, is still heard), and returns the first response once it is whole, or what
/// came when the server closed or `timeout` passed.
inline raw_reply raw_exchange(uint16_t port, const std::string& bytes,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  raw_reply reply;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "raw connect to port " << port << " failed: " << std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    return reply;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string data;
  std::size_t sent = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!detail::complete_response(data)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      break;
    bool writing = sent < bytes.size();
    pollfd p{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        data.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        reply.closed = true;
        break;
      }
    }
    if (writing && (p.revents & POLLOUT)) {
      auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0)
        sent += static_cast<std::size_t>(n);
      else if (errno != EAGAIN && errno != EINTR)
        sent = bytes.size();  // the server stopped reading: listen for its answer only
    }
  }
  ::close(fd);
  auto end = data.find("\r\n\r\n");
  reply.head = data.substr(0, end);
  if (end != std::string::npos)
    reply.body = data.substr(end + 4);
  if (data.rfind("HTTP/1.", 0) == 0 && data.size() >= 12)
    reply.status = std::atoi(data.substr(9, 3).c_str());
  return reply;
}

/// Resident memory of process `pid` in KiB (VmRSS of /proc/PID/status), -1 when unreadable.
inline long rss_kib(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

/// A finished presencectl run.
struct tool_run {
  int code = -1;
  std::string out;
};

/// Runs presencectl (the PRESENCECTL_PATH compile definition) with `args`; stdout captured.
inline tool_run presencectl(const std::vector<std::string>& args) {
  std::string command = "'" PRESENCECTL_PATH "'";
  for (const auto& a : args)
    command += " '" + a + "'";
  tool_run run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return run;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    run.out.append(buf, n);
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

/// What the stopped server's log holds, read with presencectl.
struct log_audit {
  int verify_code = -1;        ///< presencectl verify: 0 = every record, index and snapshot sound
  std::string verify_out;
  std::string export_text;     ///< presencectl export, every event as a JSON line
  std::vector<json> events;

  /// The `field` of every event of `type` in `stream`, oldest first.
  std::vector<std::string> fields(const std::string& stream, const std::string& type,
                                  const std::string& field) const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.value("stream", "") == stream && e.value("type", "") == type)
        out.push_back(e.value(field, ""));
    return out;
  }
  /// How many events of `type` (any type when empty) are in `stream`.
  std::size_t count(const std::string& stream, const std::string& type = {}) const {
    std::size_t n = 0;
    for (const auto& e : events)
      if (e.value("stream", "") == stream && (type.empty() || e.value("type", "") == type))
        ++n;
    return n;
  }
};

/// Verifies and exports the database in `data_dir` (the server must be stopped, or not: presencectl
/// reads a live database too).
inline log_audit audit_log(const std::string& data_dir) {
  log_audit audit;
  auto verify = presencectl({"--db", data_dir, "verify"});
  audit.verify_code = verify.code;
  audit.verify_out = verify.out;
  audit.export_text = presencectl({"--db", data_dir, "export"}).out;
  std::istringstream lines{audit.export_text};
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      audit.events.push_back(json::parse(line, nullptr, false));
  return audit;
}

/// Stops the server (SIGTERM; exit 0 expected), then audits its log: presencectl verify must
/// pass, and no refused write (`refused_marker`) may be in it.
inline log_audit stop_and_audit(presenced_process& process) {
  const auto data_dir = process.data_dir();
  EXPECT_EQ(process.stop(), 0) << "presenced did not stop cleanly";
  auto audit = audit_log(data_dir);
  EXPECT_EQ(audit.verify_code, 0) << audit.verify_out;
  EXPECT_FALSE(audit.events.empty()) << "presencectl export printed nothing";
  EXPECT_EQ(audit.export_text.find(refused_marker), std::string::npos)
    << "a refused write reached the log";
  return audit;
}

/// The log side of a catalogue's closing check, shared by the Web API and REST suites: every
/// status the writer `walt` had acknowledged is logged in order, `mallory`'s acknowledged statuses
/// and no presence change of hers are, and `alice` kept exactly the status and presence she set
/// before the catalogue.
inline void expect_catalogue_writes(const log_audit& audit,
                                    const std::vector<std::string>& walt_acknowledged,
                                    const std::vector<std::string>& mallory_acknowledged) {
  EXPECT_EQ(audit.fields("walt", "status_set", "text"), walt_acknowledged);
  EXPECT_EQ(audit.fields("mallory", "status_set", "text"), mallory_acknowledged);
  EXPECT_EQ(audit.count("mallory", "presence_set"), 0u);
  EXPECT_EQ(audit.fields("alice", "status_set", "text"),
            std::vector<std::string>{"before the storm"});
  EXPECT_EQ(audit.fields("alice", "presence_set", "mode"), std::vector<std::string>{"away"});
}

} // namespace presence::test::hostile
