#pragma once

// Runs the real presenced binary for end-to-end tests: port 0 on 127.0.0.1, a data directory, an
// admin token; waits for its `listening on http://HOST:PORT` line (no sleeps), and stops it with
// SIGTERM on destruction. The binary is $PRESENCED, else the PRESENCED_PATH compile definition.

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "support/sanitizer_report.hpp"
#include "support/test_support.hpp"

namespace presence::test {

/// The admin token the tests start presenced with (unless they ask for none).
inline const std::string default_admin_token = "test-admin-token-0123456789abcdef";

/// Path of the presenced binary under test.
inline std::string presenced_path() {
  if (const char* path = std::getenv("PRESENCED"); path != nullptr && *path != 0)
    return path;
#ifdef PRESENCED_PATH
  return PRESENCED_PATH;
#else
  return "presenced";
#endif
}

/// How a finished presenced run ended.
struct presenced_exit {
  int code = -1;       ///< exit code, or -1 when killed by a signal
  std::string stderr_text;
  std::string stdout_text;
};

namespace detail {

inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// fork + exec presenced with `args`, stdout to a pipe (returned in `out_fd`), stderr to
/// `stderr_path`. `env` entries (NAME=VALUE) are added to the environment.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& stderr_path,
                   int& out_fd, const std::vector<std::string>& env = {}) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err >= 0)
      ::dup2(err, STDERR_FILENO);
    for (const auto& e : env)
      ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    auto binary = presenced_path();
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd = fds[0];
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Waits for `pid` to exit for at most `timeout` (a pidfd, no polling loop); then kills it with
/// SIGKILL so that a hung shutdown fails the test instead of hanging it. Returns the exit code,
/// or -1 when it had to be killed or died by a signal.
inline int wait_exit_within(pid_t pid, std::chrono::milliseconds timeout) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    ::close(fd);
    if (ready == 0) {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
      return -1;
    }
  }
  return wait_exit(pid);
}

} // namespace detail

/// Runs presenced with `args` to completion (for start-up failures), at most `timeout`.
inline presenced_exit run_presenced(const std::vector<std::string>& args,
                                    const std::vector<std::string>& env = {},
                                    std::chrono::seconds timeout = std::chrono::seconds{60}) {
  temp_dir logs;
  auto err_path = logs.sub("stderr.log");
  int out_fd = -1;
  pid_t pid = detail::spawn(args, err_path, out_fd, env);
  presenced_exit result;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{out_fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      ::kill(pid, SIGKILL);  // it should have exited by now: the test reports the hang
      break;
    }
    auto n = ::read(out_fd, buf, sizeof buf);
    if (n <= 0)
      break;
    result.stdout_text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_fd);
  result.code = detail::wait_exit(pid);
  result.stderr_text = detail::slurp(err_path);
  auto report = sanitizer_report(result.stderr_text);
  EXPECT_TRUE(report.empty()) << "presenced printed a sanitizer report:\n" << report;
  return result;
}

/// A running presenced. Throws std::runtime_error (with its stderr) when it does not become ready.
class presenced_process {
 public:
  /// Starts presenced on 127.0.0.1:0 with `data_dir`; `admin_token` empty = none given (the server
  /// then bootstraps DATA_DIR/admin-token). `extra` args are appended.
  explicit presenced_process(std::string data_dir, std::vector<std::string> extra = {},
                             std::string admin_token = default_admin_token,
                             std::vector<std::string> env = {})
    : data_dir_(std::move(data_dir)), admin_token_(std::move(admin_token)) {
    std::vector<std::string> args = {"--data-dir", data_dir_, "--listen", "127.0.0.1:0",
                                     "--log-level", "debug"};
    if (!admin_token_.empty()) {
      args.push_back("--admin-token");
      args.push_back(admin_token_);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    stderr_path_ = logs_.sub("stderr.log");
    pid_ = detail::spawn(args, stderr_path_, out_fd_, env);
    wait_ready(std::chrono::seconds{60});
  }

  ~presenced_process() { stop(); }
  presenced_process(const presenced_process&) = delete;
  presenced_process& operator=(const presenced_process&) = delete;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  /// The server's process id (-1 once stopped or killed), to read its /proc figures.
  pid_t pid() const { return pid_; }
  /// The admin token given on the command line ("" when none was).
  const std::string& admin_token() const { return admin_token_; }
  /// "http://HOST:PORT"
  std::string base_url() const { return "http://" + host_ + ":" + std::to_string(port_); }
  /// Everything presenced wrote to stderr so far (its logs).
  std::string stderr_text() const { return detail::slurp(stderr_path_); }

  /// Kills the server with SIGKILL (a crash: nothing is flushed, no goodbye) and reaps it.
  /// Returns whether it was still running when killed (false: it had exited on its own).
  bool kill_hard() {
    bool was_running = false;
    if (pid_ > 0) {
      int status = 0;
      was_running = ::waitpid(pid_, &status, WNOHANG) == 0;
      if (was_running) {
        ::kill(pid_, SIGKILL);
        detail::wait_exit(pid_);
      }
      pid_ = -1;
    }
    if (out_fd_ >= 0) {
      ::close(out_fd_);
      out_fd_ = -1;
    }
    return was_running;
  }

  /// Sends SIGTERM and waits up to 30 s; returns the exit code (-1 when it died by a signal or
  /// had to be killed because it did not stop in time). Idempotent. Fails the current test when
  /// presenced printed a sanitizer report (sanitizer builds), whatever the caller does with the code.
  int stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      exit_code_ = detail::wait_exit_within(pid_, std::chrono::seconds{30});
      pid_ = -1;
      auto report = sanitizer_report(stderr_text());
      EXPECT_TRUE(report.empty()) << "presenced printed a sanitizer report:\n" << report;
    }
    if (out_fd_ >= 0) {
      ::close(out_fd_);
      out_fd_ = -1;
    }
    return exit_code_;
  }

 private:
  void wait_ready(std::chrono::seconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char c = 0;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      pollfd p{out_fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0)
        fail("presenced did not print its listening line in time");
      if (::read(out_fd_, &c, 1) != 1)
        fail("presenced exited before it was ready");
      if (c != '\n') {
        line.push_back(c);
        continue;
      }
      const std::string prefix = "listening on http://";
      if (line.rfind(prefix, 0) != 0)
        fail("unexpected stdout line: " + line);
      auto authority = line.substr(prefix.size());
      auto colon = authority.rfind(':');
      host_ = authority.substr(0, colon);
      port_ = static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)));
      return;
    }
  }

  [[noreturn]] void fail(const std::string& why) {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      detail::wait_exit(pid_);
      pid_ = -1;
    }
    throw std::runtime_error(why + "\n--- presenced stderr ---\n" + stderr_text());
  }

  temp_dir logs_;
  std::string data_dir_;
  std::string admin_token_;
  std::string stderr_path_;
  std::string host_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int exit_code_ = -1;
};

} // namespace presence::test
