#pragma once

// Caps on open TCP connections, counted from accept to close, before anything is read: one for
// the whole server and one per client address. Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace presence::api::http {

/// Held by whatever owns a connection (HTTP session, WebSocket session, TLS tunnel); the
/// connection stops counting when the last copy is gone.
using connection_hold = std::shared_ptr<void>;

class connection_limits {
 public:
  /// `total` and `per_address` of 0 mean no cap.
  connection_limits(std::size_t total, std::size_t per_address);

  /// Counts a new connection from `address`; nullptr (nothing counted) when a cap is reached.
  connection_hold admit(const std::string& address);

  /// Connections counted now.
  std::size_t open() const;

 private:
  void release(const std::string& address);

  std::size_t total_cap_;
  std::size_t per_address_cap_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> by_address_;
};

} // namespace presence::api::http
