#pragma once

// The engine's blocking calls (subscribe, set_subscription, unsubscribe, settings, service) must
// not run on an I/O thread: they run on a small pool shared by every session. A session posts
// through its own strand of the pool, so its calls stay in order.
//
// Lifetime: a thread that made a blocking engine call keeps CAF per-thread state that the engine's
// actor system waits for when it is destroyed, so the pool's threads must have exited before the
// engine is destroyed: `retire_offload_pool` (called by `wait_sessions_finished`) does that.

#include <memory>

#include <boost/asio/thread_pool.hpp>

namespace presence::api::rtm {

/// The pool new sessions use: two threads, created on first use, and again after a retirement.
/// Sessions hold the pointer, so a retired pool outlives every session that used it.
std::shared_ptr<boost::asio::thread_pool> offload_pool();

/// Retires the current pool: when `abandon_queued`, calls not yet started are dropped; the
/// threads then finish what they run and exit, and this waits for them. Blocking; call it from
/// a non-I/O thread.
void retire_offload_pool(bool abandon_queued);

} // namespace presence::api::rtm
