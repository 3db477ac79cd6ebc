#pragma once

// Who a token secret belongs to, and which token it is, without blocking an event loop: the
// configured admin token is compared in memory (its token id is
// `events::configured_admin_token_id`); other secrets are looked up in a short-lived cache, and on
// a miss through the engine's blocking `authenticate` on the blocking pool.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "presence/actors/engine.hpp"
#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::http {

/// Queues a task for the blocking pool (never an event-loop thread); false, with the task
/// dropped, when the pool's queue is full (`max_blocking_queue`): the caller answers 503.
using blocking_executor = std::function<bool(std::function<void()>)>;

/// The error an authentication gets when the blocking pool's queue is full.
presence::error pool_full_error();
/// Whether `err` is `pool_full_error()`.
bool is_pool_full(const presence::error& err) noexcept;

class authenticator {
 public:
  using done_fn = std::function<void(result<identity>)>;

  /// `admin_token` may be empty (no configured admin token). Cached results live `ttl`.
  authenticator(presence::engine& engine, std::string admin_token, std::string admin_user,
                blocking_executor blocking, std::chrono::seconds ttl = std::chrono::seconds{30});

  /// Calls `done` exactly once, inline on a cache hit or on a blocking-pool thread otherwise, with
  /// the user and token id or the engine's error (`unknown_token`, `user_deactivated`, …), or
  /// inline with `pool_full_error()` when the blocking pool's queue is full.
  void authenticate(const std::string& secret, done_fn done);

  /// Who the token `token_id` stands for while it is live, never cached: what a ticket's
  /// redemption re-checks. Calls `done` exactly once, inline for the configured admin token's id,
  /// else on an engine thread (it must not block). Errors as `command::check_token`.
  void check_token(const std::string& token_id, done_fn done);

  /// Blocking (the blocking pool only): `check_token`, waiting for the answer. What a revocation
  /// re-checks open sessions with.
  result<identity> check_token_now(const std::string& token_id);

  /// Drops every cached result (after a token is revoked or a user deactivated). A lookup that
  /// started before this call does not cache its answer: it may predate the revocation.
  void forget_all();

  /// The user and token id that the configured admin token stands for.
  const identity& admin_identity() const { return admin_identity_; }

 private:
  struct cached {
    identity who;
    std::chrono::steady_clock::time_point expires;
  };
  /// Caches `who` under `key` unless `forget_all` ran since `generation` was read.
  bool is_admin_token(const std::string& secret) const;
  void remember(const std::string& key, const identity& who, uint64_t generation);

  presence::engine& engine_;
  std::string admin_token_;
  identity admin_identity_;
  blocking_executor blocking_;
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, cached> cache_;  ///< by SHA-256 of the secret
  uint64_t generation_ = 0;                         ///< incremented by forget_all
};

/// Slack's code for an authentication failure: "invalid_auth", "token_revoked",
/// "account_inactive" or "fatal_error".
const char* slack_auth_error(const presence::error& err) noexcept;

/// The secret of an `Authorization: Bearer <secret>` header, or "" when it is not one.
std::string bearer_token(const std::string& authorization);

} // namespace presence::api::http
