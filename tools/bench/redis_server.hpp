#pragma once

// A private redis-server for the baseline: started on a free loopback port in a scratch
// directory (appendonly yes, appendfsync everysec), stopped (and reaped) on destruction.

#include <cstdint>
#include <memory>
#include <string>

#include <sys/types.h>

#include "presence/events/result.hpp"

namespace presence::bench {

class redis_server {
 public:
  /// Starts `redis-server` (found on PATH) with its data in `dir` and waits until it answers
  /// PING (10 s at most). Errors: `storage_failure` naming what failed.
  [[nodiscard]] static result<std::unique_ptr<redis_server>> start(const std::string& dir);
  /// Stops the server with SIGTERM and waits for it.
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  /// `redis-server --version` of the binary that was started.
  const std::string& version() const noexcept { return version_; }

 private:
  redis_server(pid_t pid, uint16_t port) : pid_(pid), port_(port) {}
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string version_;
};

} // namespace presence::bench
