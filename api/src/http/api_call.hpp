#pragma once

// What the Web API and the REST API calls have in common: an authenticated caller, parameters,
// and one answer that may come from any thread (an engine callback, the blocking pool) exactly
// once. The Slack and Rocket.Chat calls add their own body shapes on top.

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/api_types.hpp"
#include "http/gateway.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::http {

class api_call : public std::enable_shared_from_this<api_call> {
 public:
  api_call(gateway& gw, std::string method, nlohmann::json params, events::user_record caller,
           std::string host, reply_fn reply)
    : gw(gw), method(std::move(method)), params(std::move(params)), caller(std::move(caller)),
      host(std::move(host)), reply_(std::move(reply)) {
  }
  virtual ~api_call() = default;
  api_call(const api_call&) = delete;
  api_call& operator=(const api_call&) = delete;

  gateway& gw;
  const std::string method;
  const nlohmann::json params;
  const events::user_record caller;
  const std::string host;  ///< the request's Host header (for URLs handed out)
  /// The token secret the caller authenticated with: the per-token rate limits are keyed by it
  /// (memory only, never logged).
  std::string token_secret;
  /// The id of that token (`events::configured_admin_token_id` for the configured admin token):
  /// rtm.connect tickets carry it, and the audit records it.
  std::string token_id;
  /// The client's network address.
  std::string address;

  /// The origin of the changes this call makes (`by` = caller, `via` = the method name, and the
  /// token id and client address).
  presence::origin from() const { return {caller.id, method, token_id, address}; }

  /// Wraps `fn` so that an exception it throws answers an internal error instead of escaping
  /// (engine callbacks run on CAF worker threads, blocking work on the pool).
  template <class F>
  auto guarded(F fn) {
    return [self = shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      try {
        fn(std::forward<decltype(args)>(args)...);
      } catch (const std::exception& e) {
        self->crashed(e.what());
      }
    };
  }

  /// Runs `work` on the blocking pool, guarded; answers `busy()` instead when its queue is full.
  void blocking(std::function<void()> work) {
    if (!gw.blocking(guarded(std::move(work))))
      busy();
  }

  /// Logs `what` and answers the API's internal error.
  virtual void crashed(const char* what) = 0;
  /// Answers HTTP 503 with `Retry-After: 1`: the blocking pool's queue is full.
  virtual void busy() = 0;

 protected:
  /// Sends the one answer; later calls are ignored. `failed` counts it in http_errors.
  void send(int status, const nlohmann::json& body, bool failed,
            std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  reply_fn reply_;
  std::atomic<bool> answered_{false};
};

} // namespace presence::api::http
