// Starting and stopping the baseline's private redis-server.
#include "redis_server.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace presence::bench {

namespace {

/// A port the kernel just handed out on 127.0.0.1 (bound then released).
result<uint16_t> free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return error{errc::storage_failure, "socket() failed"};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return error{errc::storage_failure, "cannot bind a loopback port"};
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string command_output(const char* command) {
  std::string text;
  if (std::FILE* pipe = ::popen(command, "r")) {
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
      text += buffer.data();
    ::pclose(pipe);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

bool answers_ping(uint16_t port) {
  timeval timeout{0, 200'000};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  bool ok = false;
  if (context != nullptr && context->err == 0) {
    auto* reply = static_cast<redisReply*>(redisCommand(context, "PING"));
    ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
    if (reply != nullptr)
      freeReplyObject(reply);
  }
  if (context != nullptr)
    redisFree(context);
  return ok;
}

} // namespace

result<std::unique_ptr<redis_server>> redis_server::start(const std::string& dir) {
  auto port = free_loopback_port();
  if (!port)
    return port.error();
  const std::string port_text = std::to_string(*port);
  const std::string log_file = dir + "/redis.log";
  // The baseline as teams deploy it for presence: an append-only file fsynced every second, no
  // RDB snapshots during the run, and no output-buffer cut-off for the (single, fast) subscriber.
  std::vector<std::string> args = {"redis-server", "--port", port_text, "--bind", "127.0.0.1",
                                   "--dir", dir, "--appendonly", "yes", "--appendfsync",
                                   "everysec", "--save", "", "--daemonize", "no", "--logfile",
                                   log_file, "--client-output-buffer-limit", "pubsub 0 0 0"};
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawnp(&pid, "redis-server", nullptr, nullptr, argv.data(), environ) != 0)
    return error{errc::storage_failure, "cannot start redis-server (is it installed?)"};
  std::unique_ptr<redis_server> server{new redis_server(pid, *port)};
  server->version_ = command_output("redis-server --version");
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (answers_ping(*port))
      return server;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = -1;
      return error{errc::storage_failure, "redis-server exited at start; see " + log_file};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return error{errc::storage_failure, "redis-server did not answer PING within 10 s"};
}

redis_server::~redis_server() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

} // namespace presence::bench
