#pragma once

// The engine's blocking calls (subscribe, set_subscription, unsubscribe, settings, service) must
// not run on an I/O thread: they run here, on a small pool shared by every session. A session
// posts through its own strand of the pool, so its calls stay in order.

#include <boost/asio/thread_pool.hpp>

namespace presence::api::rtm {

/// The process-wide pool (two threads, started on first use, joined at exit).
boost::asio::thread_pool& offload_pool();

} // namespace presence::api::rtm
