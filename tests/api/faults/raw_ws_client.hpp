#pragma once

// A deliberately slow WebSocket client on a plain blocking socket: a small receive buffer set
// before connecting (so the TCP window stays small), the upgrade by hand, masked text frames out,
// and no reading at all until `drain_until_closed`. Lets a test make the server's backlog for one
// connection grow as fast as the server produces frames. Loopback only; every call has a deadline.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace presence::test {

class raw_ws_client {
 public:
  using millis = std::chrono::milliseconds;

  raw_ws_client() = default;
  raw_ws_client(const raw_ws_client&) = delete;
  raw_ws_client& operator=(const raw_ws_client&) = delete;
  ~raw_ws_client() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  /// Connects to 127.0.0.1:`port` with SO_RCVBUF = `receive_buffer` bytes and upgrades `target`
  /// ("/rtm?ticket=…"). Empty on success (a 101 answer), else what failed.
  std::string open(uint16_t port, const std::string& target, int receive_buffer) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
      return "socket failed";
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    timeval send_timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return "connect failed";
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                                std::to_string(port) +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n";
    if (!send_all(request))
      return "sending the upgrade failed";
    // Read the answer's head only; frame bytes behind it stay in `pending_`.
    auto deadline = std::chrono::steady_clock::now() + millis(5000);
    std::size_t end = std::string::npos;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
      if (!read_some(deadline))
        return "no upgrade answer";
    auto head = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    if (head.rfind("HTTP/1.1 101", 0) != 0)
      return "upgrade refused: " + head.substr(0, head.find("\r\n"));
    return {};
  }

  /// Sends one masked text frame (blocking, at most 5 s per write).
  bool send_text(const std::string& text) {
    std::string frame;
    frame.push_back(static_cast<char>(0x81));  // FIN + text
    if (text.size() < 126) {
      frame.push_back(static_cast<char>(0x80 | text.size()));
    } else {
      frame.push_back(static_cast<char>(0x80 | 126));
      frame.push_back(static_cast<char>((text.size() >> 8) & 0xff));
      frame.push_back(static_cast<char>(text.size() & 0xff));
    }
    char mask[4];
    for (auto& m : mask)
      m = static_cast<char>(rng_() & 0xff);
    frame.append(mask, 4);
    for (std::size_t i = 0; i < text.size(); ++i)
      frame.push_back(static_cast<char>(text[i] ^ mask[i % 4]));
    return send_all(frame);
  }

  /// Reads and discards frames until the server sends a close frame or ends the connection;
  /// false on `timeout`. `close_code()` / `close_reason()` tell the close frame, if one came.
  bool drain_until_closed(millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (parse_frames())
        return true;
      if (!read_some(deadline))
        return ended_;
    }
  }

  /// Bytes of server frames read so far (after the upgrade).
  std::size_t bytes_read() const { return bytes_read_; }
  /// The close frame's status code (0 when none came) and reason.
  unsigned close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

 private:
  bool send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// Appends what arrives before `deadline` to `pending_`; false on timeout or end of stream
  /// (then `ended_`).
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<millis>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char buffer[65536];
    auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ended_ = true;  // FIN, or RST when the server aborted the socket
      return false;
    }
    bytes_read_ += static_cast<std::size_t>(n);
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  /// Consumes whole server frames (unmasked) from `pending_`; true once a close frame came.
  bool parse_frames() {
    for (;;) {
      if (pending_.size() < 2)
        return false;
      auto byte = [&](std::size_t i) { return static_cast<unsigned char>(pending_[i]); };
      unsigned opcode = byte(0) & 0x0f;
      uint64_t length = byte(1) & 0x7f;
      std::size_t header = 2;
      if (length == 126) {
        if (pending_.size() < 4)
          return false;
        length = (uint64_t{byte(2)} << 8) | byte(3);
        header = 4;
      } else if (length == 127) {
        if (pending_.size() < 10)
          return false;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i)
          length = (length << 8) | byte(i);
        header = 10;
      }
      if (pending_.size() < header + length)
        return false;
      if (opcode == 0x8) {
        if (length >= 2) {
          close_code_ = (unsigned{byte(header)} << 8) | byte(header + 1);
          close_reason_ = pending_.substr(header + 2, length - 2);
        }
        return true;
      }
      pending_.erase(0, header + length);
    }
  }

  int fd_ = -1;
  std::string pending_;
  std::size_t bytes_read_ = 0;
  bool ended_ = false;
  unsigned close_code_ = 0;
  std::string close_reason_;
  std::minstd_rand rng_{std::random_device{}()};
};

} // namespace presence::test
