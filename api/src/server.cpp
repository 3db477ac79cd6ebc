#include "presence/api/server.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <sys/resource.h>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "http/connection_limits.hpp"
#include "http/gateway.hpp"
#include "http/http_session.hpp"
#include "http/tls_terminator.hpp"
#include "rtm/rtm_session.hpp"

namespace presence::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// How long accepting pauses after running out of descriptors or memory.
constexpr std::chrono::milliseconds accept_backoff_delay{100};

struct server::impl {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<asio::thread_pool> blocking_pool;
  std::unique_ptr<http::gateway> gw;
  std::unique_ptr<rtm::session_context> rtm_context;
  http::session_registry registry;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_backoff;  ///< on the acceptor's strand
  std::unique_ptr<http::tls_terminator> tls;  ///< set when serving https/wss
  std::unique_ptr<http::connection_limits> limits;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable loop_done;
  std::size_t running = 0;
  bool started = false;
  bool stopped = false;
  std::optional<uint64_t> service_watch;  ///< the subscription behind `gw->service`

  void accept_next() {
    acceptor->async_accept(asio::make_strand(ioc), [this](boost::system::error_code ec,
                                                          tcp::socket socket) {
      if (ec) {
        if (!acceptor->is_open() || ec == asio::error::operation_aborted)
          return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
            ec == asio::error::no_memory || ec.value() == ENFILE) {
          // Out of descriptors or memory: the pending connection stays in the backlog, and
          // accepting again at once would fail again at once (a busy loop). Wait instead.
          spdlog::warn("http accept failed: {}; accepting again in {} ms", ec.message(),
                       accept_backoff_delay.count());
          accept_backoff->expires_after(accept_backoff_delay);
          accept_backoff->async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec && acceptor->is_open())
              accept_next();
          });
          return;
        }
        spdlog::warn("http accept failed: {}", ec.message());
      } else {
        serve(std::move(socket));
      }
      accept_next();
    });
  }

  /// Counts an accepted connection against the caps (closing it when over one), then serves it.
  void serve(tcp::socket socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    auto peer = ec ? std::string("unknown") : remote.address().to_string();
    auto hold = limits->admit(peer);
    if (!hold) {
      // Over a cap: closed before anything is read or allocated for it.
      socket.close(ec);
      gw->stats.connections_refused.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (!tls) {
      std::make_shared<http::http_session>(std::move(socket), *gw, *rtm_context, registry,
                                           std::move(peer), std::move(hold))
        ->run();
      return;
    }
    tls->start(std::move(socket), gw->config.header_timeout,
               [this, hold = std::move(hold)](tcp::socket plain, std::string tls_peer) mutable {
                 std::make_shared<http::http_session>(std::move(plain), *gw, *rtm_context,
                                                      registry, std::move(tls_peer),
                                                      std::move(hold))
                   ->run();
               });
  }

  void run_loop() {
    try {
      ioc.run();
    } catch (const std::exception& e) {
      spdlog::critical("event loop stopped by an exception: {}", e.what());
    }
    std::lock_guard<std::mutex> guard{mutex};
    --running;
    loop_done.notify_all();
  }
};

server::server() : impl_(std::make_unique<impl>()) {
}

server::~server() {
  stop();
}

result<uint16_t> server::start(presence::engine& engine, server_config config) {
  auto& d = *impl_;
  if (d.started)
    return presence::error{errc::invalid_argument, "server already started"};
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config.host, ec);
  if (ec)
    return presence::error{errc::invalid_setting,
                           "listen: '" + config.host + "' is not a numeric IP address"};
  tcp::endpoint endpoint{address, config.port};
  if (!config.tls_cert.empty()) {
    auto tls = http::tls_terminator::create(config.tls_cert, config.tls_key);
    if (!tls.ok())
      return tls.error();
    d.tls = std::move(tls.value());
  }
  d.acceptor.emplace(asio::make_strand(d.ioc));
  d.accept_backoff.emplace(d.acceptor->get_executor());
  auto fail = [&](const char* what) {
    return presence::error{errc::invalid_setting, "listen: cannot " + std::string(what) + " " +
                                                    config.host + ":" + std::to_string(config.port) +
                                                    ": " + ec.message()};
  };
  if (d.acceptor->open(endpoint.protocol(), ec); ec)
    return fail("open");
  if (d.acceptor->set_option(asio::socket_base::reuse_address(true), ec); ec)
    return fail("configure");
  if (d.acceptor->bind(endpoint, ec); ec)
    return fail("bind");
  if (d.acceptor->listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail("listen on");
  auto port = d.acceptor->local_endpoint(ec).port();
  auto max_connections = config.max_connections;
  if (max_connections == 0) {
    rlimit files{};
    max_connections = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY
                        ? std::max<std::size_t>(64, files.rlim_cur > 576 ? files.rlim_cur - 512 : 64)
                        : 0;
  }
  d.limits = std::make_unique<http::connection_limits>(max_connections,
                                                       config.max_connections_per_address);

  auto threads = config.threads != 0 ? config.threads
                                     : std::max(1u, std::thread::hardware_concurrency());
  d.blocking_pool = std::make_unique<asio::thread_pool>(std::max<std::size_t>(1, config.admin_threads));
  auto* pool = d.blocking_pool.get();
  rtm::session_limits limits;
  limits.max_frame_bytes = config.max_frame_bytes;
  limits.max_backlog_bytes = config.max_backlog_bytes;
  limits.ping_interval = config.ping_interval;
  limits.sub_rate_per_s = config.sub_rate_per_s;
  limits.msg_rate_per_s = config.msg_rate_per_s;
  limits.max_query_ids = config.max_query_ids;
  limits.max_offload_queue = config.max_blocking_queue;
  // A bounded queue: past `max_blocking_queue` waiting tasks the caller answers 503.
  auto waiting = std::make_shared<std::atomic<std::size_t>>(0);
  auto bound = config.max_blocking_queue;
  d.gw = std::make_unique<http::gateway>(
    engine, std::move(config), [pool, waiting, bound](std::function<void()> work) {
      if (waiting->fetch_add(1) >= bound) {
        waiting->fetch_sub(1);
        return false;
      }
      asio::post(*pool, [waiting, work = std::move(work)] {
        waiting->fetch_sub(1);
        work();
      });
      return true;
    });
  d.gw->port = port;
  // The switch's state for HTTP answers that show `disabled`: the broadcasters tell every
  // subscriber when it changes, and a new one at once while it is off.
  auto* service = &d.gw->service;
  auto* gw = d.gw.get();
  auto watch = engine.subscribe([service, gw](const notification& note) {
    if (note.type == notification::kind::credentials_changed) {
      // Revoked through another cluster node: the same enforcement as a revocation here.
      auto user = note.users.empty() ? std::string{} : note.users.front();
      gw->blocking([gw, user] {
        gw->auth.forget_all();
        rtm::close_revoked_sessions(
          [gw](const std::string& token_id) { return gw->auth.check_token_now(token_id); }, user);
      });
      return;
    }
    if (note.type != notification::kind::presence_service_status)
      return;
    service->set(note.service_enabled, note.reason);
    if (note.service_enabled)
      spdlog::info("presence service on ({} connections, limit {})", note.connections, note.limit);
    else
      spdlog::warn("presence service off: {} ({} connections, limit {}); presences read disabled",
                   note.reason, note.connections, note.limit);
  });
  if (watch.ok())
    d.service_watch = watch.value();
  d.rtm_context.reset(new rtm::session_context{engine, d.gw->stats, limits});

  d.work.emplace(d.ioc.get_executor());
  d.accept_next();
  d.started = true;
  d.running = threads;
  for (std::size_t i = 0; i < threads; ++i)
    d.threads.emplace_back([&d] { d.run_loop(); });
  spdlog::info("http server bound host={} port={} threads={} admin_threads={}", d.gw->config.host,
               port, threads, d.gw->config.admin_threads);
  return port;
}

void server::set_ready(bool ready) {
  if (impl_->gw)
    impl_->gw->ready = ready;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    return;
  d.stopped = true;
  d.gw->stopping = true;
  d.gw->ready = false;
  asio::post(d.acceptor->get_executor(), [&d] {
    boost::system::error_code ignored;
    d.acceptor->close(ignored);
    d.accept_backoff->cancel();
  });
  d.registry.close_all();
  // WebSocket sessions say goodbye and log their disconnects while the I/O threads still run.
  auto started_at = std::chrono::steady_clock::now();
  rtm::close_all_sessions();
  if (!rtm::wait_sessions_finished(grace))
    spdlog::warn("http server: WebSocket sessions still open after {} ms", grace.count());
  auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - started_at);
  grace = std::max(std::chrono::milliseconds{100}, grace - spent);
  d.work.reset();
  {
    std::unique_lock<std::mutex> lock{d.mutex};
    if (!d.loop_done.wait_for(lock, grace, [&d] { return d.running == 0; })) {
      spdlog::warn("http server: sessions still open after {} ms, stopping the event loop",
                   grace.count());
      d.ioc.stop();
    }
  }
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
  d.blocking_pool->join();
  if (d.service_watch)
    (void)d.gw->engine.unsubscribe(*d.service_watch);
  spdlog::info("http server stopped");
}

} // namespace presence::api
