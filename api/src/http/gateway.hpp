#pragma once

// What every request handler shares: the engine, the config, the counters, the rate limiter,
// the authenticator, the WebSocket ticket store and the blocking pool. Owned by the server;
// outlives every session and every pending engine callback.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "http/authenticator.hpp"
#include "http/rate_limiter.hpp"
#include "metrics.hpp"
#include "presence/actors/engine.hpp"
#include "presence/api/server.hpp"
#include "presence/events/time.hpp"
#include "rtm/ticket_store.hpp"
#include "web/static_site.hpp"

namespace presence::api::http {

struct gateway {
  gateway(presence::engine& engine_ref, server_config cfg, blocking_executor blocking_pool)
    : engine(engine_ref), config(std::move(cfg)),
      limiter(config.rate_limit_per_s, config.rate_limit_burst),
      connect_limiter(config.connect_rate_per_s, config.connect_rate_burst),
      user_connect_limiter(config.connect_rate_per_s, config.connect_rate_burst),
      failed_auth(config.failed_auth_per_s, config.failed_auth_burst),
      auth(engine_ref, config.admin_token, config.admin_user, blocking_pool),
      blocking(std::move(blocking_pool)),
      site(config.web_dir.empty() ? web::static_site::embedded()
                                  : web::static_site::folder(config.web_dir)) {}

  presence::engine& engine;
  const server_config config;
  api::metrics stats;
  rate_limiter limiter;
  rate_limiter connect_limiter;  ///< rtm.connect and /rtm upgrades with a token, per token
  /// The same connects per user, once the token is known to be theirs: a user's tokens share
  /// one budget, so no user reconnects faster than `connect_rate_per_s` whatever they hold.
  rate_limiter user_connect_limiter;
  rate_limiter failed_auth;      ///< failed authentications, per client address
  authenticator auth;
  rtm::ticket_store tickets;
  /// Runs blocking engine calls (admin operations, auth cache misses) off the event loop.
  blocking_executor blocking;
  /// The web console's files (every path the API does not claim).
  const web::static_site site;
  std::atomic<uint16_t> port{0};     ///< the bound port
  std::atomic<bool> ready{false};    ///< /readyz
  std::atomic<bool> stopping{false}; ///< no new keep-alive requests once set
  /// The presence service's switch as the server's own subscription last heard it (server.cpp):
  /// HTTP answers that show a `disabled` presence say why with it.
  class service_switch {
   public:
    void set(bool enabled, std::string reason) {
      std::lock_guard<std::mutex> guard{mutex_};
      enabled_ = enabled;
      reason_ = enabled ? std::string{} : std::move(reason);
    }
    /// `{"enabled": false, "reason": "connection_limit"|"admin"}`, or `{"enabled": true}`.
    nlohmann::json describe() const {
      std::lock_guard<std::mutex> guard{mutex_};
      nlohmann::json out{{"enabled", enabled_}};
      if (!enabled_)
        out["reason"] = reason_;
      return out;
    }

   private:
    mutable std::mutex mutex_;
    bool enabled_ = true;
    std::string reason_;
  } service;
  std::atomic<int64_t> auth_log_second{-1};    ///< when the last failed-auth line was logged
  std::atomic<uint64_t> auth_log_suppressed{0}; ///< failed authentications not logged since

  /// An authentication attempt from `address` takes one unit of its failure budget up front
  /// (so concurrent guesses cannot overdraw it); 0 when it may go on, else the seconds to wait.
  /// Called before a token is looked up: a refused guess costs no pool thread or engine call.
  int auth_attempt(const std::string& address) {
    return failed_auth.acquire(address, monotonic_seconds());
  }
  /// The attempt succeeded: its unit goes back to `address`'s budget.
  void auth_succeeded(const std::string& address) { failed_auth.refund(address); }
  /// The attempt failed (its unit stays spent): logged, at most one line a second.
  void auth_failed(const std::string& address, const char* code);

  /// Seconds on the monotonic clock, for the rate limiter.
  static double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
  }
  /// Microseconds since the Unix epoch (ticket expiry, expiration checks).
  static int64_t now_us() { return events::to_timestamp(events::wall_clock_now()); }
};

} // namespace presence::api::http
