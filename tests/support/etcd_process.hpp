#pragma once

// Runs a real single-member etcd for the cluster tests: client and peer ports on 127.0.0.1
// (free ports found by binding port 0; new ports when etcd finds one taken meanwhile), its data
// in a temporary directory, ready once GET /health answers {"health":"true"} (polled, with a
// deadline). Stopped with SIGTERM, then SIGKILL, on destruction. The binary is $ETCD, else
// `etcd` on PATH (Debian package etcd-server). Tests that use it link presence_test_net.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/presenced_process.hpp" // detail::wait_exit, detail::wait_exit_within
#include "support/test_support.hpp"

namespace presence::test {

/// The etcd binary: $ETCD, else `etcd` found on PATH. Throws std::runtime_error naming what to
/// install when there is none.
inline std::string etcd_binary() {
  if (const char* path = std::getenv("ETCD"); path != nullptr && *path != 0)
    return path;
  const char* search = std::getenv("PATH");
  std::istringstream dirs(search != nullptr ? search : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = (dir.empty() ? std::string{"."} : dir) + "/etcd";
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  throw std::runtime_error("etcd not found: set ETCD to its path or install the Debian package "
                           "etcd-server (scripts/install-deps.sh installs it)");
}

/// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago (bound to port 0, then
/// released). Another process may take one before it is used: callers retry.
inline std::vector<uint16_t> free_loopback_ports(std::size_t count) {
  std::vector<int> sockets;
  std::vector<uint16_t> ports;
  for (std::size_t i = 0; i < count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      for (int open : sockets)
        ::close(open);
      if (fd >= 0)
        ::close(fd);
      throw std::runtime_error("cannot bind a socket to 127.0.0.1:0");
    }
    sockets.push_back(fd); // held until all are chosen, so that they differ
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets)
    ::close(fd);
  return ports;
}

/// A running etcd. Throws std::runtime_error (with etcd's stderr) when it does not become ready.
class etcd_process {
 public:
  explicit etcd_process(std::chrono::seconds ready_within = std::chrono::seconds{60})
    : binary_(etcd_binary()), ready_within_(ready_within) {
    for (int attempt = 1;; ++attempt) {
      auto ports = free_loopback_ports(2);
      client_port_ = ports[0];
      peer_port_ = ports[1];
      if (start())
        return;
      if (attempt == 5)
        throw std::runtime_error("etcd found its ports taken 5 times:\n" + stderr_text());
      std::error_code ignored;
      std::filesystem::remove_all(dir_.sub("data"), ignored);
    }
  }

  ~etcd_process() { stop(); }
  etcd_process(const etcd_process&) = delete;
  etcd_process& operator=(const etcd_process&) = delete;

  /// "http://127.0.0.1:PORT", the client URL.
  std::string url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  uint16_t client_port() const { return client_port_; }
  /// Its process id, -1 once stopped or killed.
  pid_t pid() const { return pid_; }
  /// Everything etcd wrote to stderr so far (errors only: it runs with --log-level error).
  std::string stderr_text() const { return read_whole_file(stderr_path_); }

  /// Kills etcd with SIGKILL (a crash) and reaps it.
  void kill9() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      detail::wait_exit(pid_);
      pid_ = -1;
    }
  }

  /// Freezes etcd with SIGSTOP: its sockets stay open but nothing answers.
  void suspend() {
    if (pid_ > 0)
      ::kill(pid_, SIGSTOP);
  }

  /// Lets a suspended etcd run again (SIGCONT).
  void resume() {
    if (pid_ > 0)
      ::kill(pid_, SIGCONT);
  }

  /// SIGTERM (and SIGCONT, should it be suspended), then SIGKILL when it has not exited within
  /// 10 s. Idempotent.
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::kill(pid_, SIGCONT);
      detail::wait_exit_within(pid_, std::chrono::seconds{10});
      pid_ = -1;
    }
  }

  /// Stops etcd (as stop(); nothing to stop after kill9()) and starts it again on the same ports
  /// and data: what it acknowledged is still there, and clients' connections were closed.
  void restart() {
    stop();
    if (!start())
      throw std::runtime_error("etcd could not get its ports back:\n" + stderr_text());
  }

 private:
  /// Starts etcd on its ports and waits until it is healthy. False when it exited because a port
  /// was taken (the caller picks others); throws on any other failure.
  bool start() {
    auto client = url();
    auto peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    stderr_path_ = dir_.sub("etcd.stderr");
    pid_ = spawn_to_files({binary_,
                           "--name",
                           "presence-test",
                           "--data-dir",
                           dir_.sub("data"),
                           "--listen-client-urls",
                           client,
                           "--advertise-client-urls",
                           client,
                           "--listen-peer-urls",
                           peer,
                           "--initial-advertise-peer-urls",
                           peer,
                           "--initial-cluster",
                           "presence-test=" + peer,
                           "--logger",
                           "zap",
                           "--log-outputs",
                           "stderr",
                           "--log-level",
                           "error"},
                          dir_.sub("etcd.stdout"), stderr_path_);
    if (pid_ < 0)
      throw std::runtime_error("cannot run etcd at '" + binary_ + "' (from $ETCD or PATH)");
    // A pidfd wakes the wait between two health probes as soon as etcd exits.
    int exit_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    auto deadline = std::chrono::steady_clock::now() + ready_within_;
    for (;;) {
      if (healthy()) {
        if (exit_fd >= 0)
          ::close(exit_fd);
        return true;
      }
      pollfd exited{exit_fd, POLLIN, 0};
      ::poll(&exited, exit_fd >= 0 ? 1 : 0, 25);
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (exit_fd >= 0)
          ::close(exit_fd);
        auto text = stderr_text();
        if (text.find("address already in use") != std::string::npos)
          return false;
        throw std::runtime_error("etcd exited before it was ready:\n" + text);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        if (exit_fd >= 0)
          ::close(exit_fd);
        kill9();
        throw std::runtime_error("etcd did not answer GET /health in time:\n" + stderr_text());
      }
    }
  }

  /// Whether GET /health answers {"health":"true"}.
  bool healthy() const {
    try {
      http_client client{"127.0.0.1", client_port_};
      auto res = client.get("/health");
      return res.status == 200 && res.json().value("health", std::string{}) == "true";
    } catch (const std::exception&) {
      return false; // not listening yet
    }
  }

  std::string binary_;
  std::chrono::seconds ready_within_;
  temp_dir dir_;
  std::string stderr_path_;
  uint16_t client_port_ = 0;
  uint16_t peer_port_ = 0;
  pid_t pid_ = -1;
};

} // namespace presence::test
