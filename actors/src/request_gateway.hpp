#pragma once

// Requests from non-actor threads (the engine facade) to actors, answered through callbacks,
// without spawning an actor per request and without one actor-clock timeout per request.
// Private to the actors module.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/intrusive_ptr.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>
#include <caf/response_type.hpp>

namespace presence::actors {

/// Sends each request as coming from one long-lived `caf::actor_companion`, whose enqueue hook
/// hands the reply to the request's callback on the thread that delivered it (a CAF worker). A
/// table keyed by request id holds the callbacks; one thread of its own reports the requests that
/// were not answered within `timeout`.
///
/// Contract: every handler passed to `request` runs exactly once — with the reply message, with
/// the actor's error (`caf::error`), with `sec::request_timeout` after `timeout` (on the gateway's
/// thread), or with `errc::shutting_down` when the gateway is closed first (on the closing thread).
/// A reply arriving after its timeout was reported is dropped. Handlers run without any lock of the
/// gateway held, so they may call `request` again; they must not block. Thread-safe.
class request_gateway {
 public:
  /// The reply (the whole response message) or the error.
  using reply_handler = std::function<void(caf::expected<caf::message>)>;

  request_gateway(caf::actor_system& system, std::chrono::milliseconds timeout);
  /// Closes (see `close`).
  ~request_gateway();

  request_gateway(const request_gateway&) = delete;
  request_gateway& operator=(const request_gateway&) = delete;

  /// Sends `(xs...)` to `dest` as a request and registers `handler` for its reply. Messages sent
  /// by one thread reach one destination in the order they were sent. A null `dest` is answered
  /// `sec::invalid_argument`; a closed gateway answers `errc::shutting_down` at once.
  /// `dest` is a `caf::actor` or a typed handle; a typed one that does not take `(xs...)` is a
  /// compile error.
  template <class Handle, class... Ts>
  void request(const Handle& dest, reply_handler handler, Ts&&... xs) {
    static_assert(caf::response_type<typename Handle::signatures, std::decay_t<Ts>...>::valid,
                  "the destination does not take this message");
    if (!dest)
      return refuse_invalid(handler);
    auto id = enroll(std::move(handler));
    if (id == 0)
      return;
    // One allocation: the element holds the values (no intermediate caf::message).
    dest->enqueue(caf::make_mailbox_element(companion_, caf::make_message_id(id), {},
                                            std::forward<Ts>(xs)...),
                  nullptr);
  }

  /// Refuses new requests, answers the pending ones `errc::shutting_down`, stops the timeout
  /// thread and the companion. Idempotent. Must not be called from a handler.
  void close();

  /// Requests sent and not yet answered (for tests and diagnostics).
  std::size_t pending() const;

 private:
  using clock = std::chrono::steady_clock;

  struct slot {
    reply_handler handler;
    clock::time_point deadline;
  };

  /// Registers `handler` under a new request id (> 0); 0 when closed (`handler` was answered).
  uint64_t enroll(reply_handler handler);
  static void refuse_invalid(reply_handler& handler);
  /// The companion's enqueue hook: a response goes to its handler; anything else is dropped.
  void on_reply(caf::mailbox_element_ptr element);
  /// The timeout thread: reports the oldest requests once their deadline passed.
  void expire_loop();

  const std::chrono::milliseconds timeout_;
  caf::strong_actor_ptr companion_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  ///< a first pending request, or close
  /// By request id, which grows with time: the first entry has the earliest deadline.
  std::map<uint64_t, slot> slots_;
  uint64_t next_id_ = 1;
  bool closed_ = false;
  std::thread expirer_;
};

} // namespace presence::actors
