#include "http/gateway.hpp"

#include <spdlog/spdlog.h>

namespace presence::api::http {

void gateway::auth_failed(const std::string& address, const char* code) {
  // One line a second at most: a guessing client must not flood the log either.
  auto second = static_cast<int64_t>(monotonic_seconds());
  auto last = auth_log_second.load(std::memory_order_relaxed);
  if (second == last || !auth_log_second.compare_exchange_strong(last, second)) {
    auth_log_suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto suppressed = auth_log_suppressed.exchange(0, std::memory_order_relaxed);
  spdlog::warn("authentication failed from {}: {} ({} more failures not logged)", address, code,
               suppressed);
}

} // namespace presence::api::http
