// The engine side of a session: the presence connection (connect, subscription, activity,
// disconnect), whichever protocol runs on the socket.

#include "session.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "metrics.hpp"

namespace presence::api::rtm {

namespace net = boost::asio;

void session::connect_presence() {
  if (connecting_ || closing_)
    return;
  connecting_ = true;
  ctx_.engine.run_async(command::connect{user_, conn_, client_, from()},
                        [self = shared_from_this()](status st) {
                          net::post(self->strand_, [self, st = std::move(st)]() mutable {
                            self->on_connected(std::move(st));
                          });
                        });
}

void session::on_connected(status st) {
  if (!st.ok()) {
    spdlog::warn("{} {}: connect refused: {}", protocol_, user_, describe(st.error()));
    if (finished_ || closing_)
      return;
    on_connect_refused(st.error().code);
    return;
  }
  connected_ = true;
  spdlog::info("{} {}: connected as {}", protocol_, user_, conn_);
  if (released_) {
    log_disconnect();
    return;
  }
  if (closing_)
    return;
  bool queued = offload([self = shared_from_this()] {
    auto& engine = self->ctx_.engine;
    auto sub = engine.subscribe(self->make_sink(), self->user_);
    std::size_t max_subscription = self->max_subscription_;
    if (auto settings = engine.settings(); settings.ok())
      max_subscription = static_cast<std::size_t>(settings->max_subscription);
    presence::engine::service_state service;
    if (auto state = engine.service(); state.ok())
      service = *state;
    net::post(self->strand_, [self, sub = std::move(sub), max_subscription,
                              service = std::move(service)]() mutable {
      self->on_subscribed(std::move(sub), max_subscription, service);
    });
  });
  if (!queued) {
    // The engine-call queue is full: the client retries later rather than waiting in it.
    spdlog::warn("{} {}: engine-call queue full, closing {}", protocol_, user_, conn_);
    begin_close(ws::close_code::try_again_later, "server busy",
                events::disconnect_reason::closed, true, close_deadline());
  }
}

void session::on_subscribed(result<uint64_t> sub, std::size_t max_subscription,
                            const presence::engine::service_state& service) {
  if (!sub.ok()) {
    spdlog::warn("{} {}: subscribe failed: {}", protocol_, user_, describe(sub.error()));
    begin_close(ws::close_code::internal_error, "subscribe failed",
                events::disconnect_reason::closed, true, close_deadline());
    return;
  }
  subscriber_ = *sub;
  if (released_) {
    drop_subscription();
    return;
  }
  if (closing_)
    return;
  max_subscription_ = max_subscription;
  presence_open_ = true;
  on_presence_open(service);
  enqueue(std::exchange(early_frames_, {}));
}

void session::set_subjects(std::vector<std::string> ids, std::function<void(status)> done) {
  if (!subscriber_)
    return;
  auto refused = done;
  bool queued = offload([self = shared_from_this(), id = *subscriber_, ids = std::move(ids),
                         done = std::move(done)] {
    auto st = self->ctx_.engine.set_subscription(id, ids);
    // Posted after the notifications of the current presences (the engine sent them before
    // set_subscription returned): on the strand, `done` runs after they were drained.
    net::post(self->strand_, [done, st = std::move(st)] { done(st); });
  });
  if (!queued)
    refused(status{errc::busy, "the server is busy; subscribe again later"});
}

void session::note_activity() {
  // What a person did: the engine logs it when it matters for presence (activity_log_interval),
  // and hears of it at most once a second per socket.
  if (!connected_ || released_ || last_seen_ - last_activity_sent_ < std::chrono::seconds(1))
    return;
  last_activity_sent_ = last_seen_;
  ++ctx_.stats.ws_activity_forwarded;
  ctx_.engine.run_async(command::activity{user_, conn_, from()}, [](status) {});
}

void session::release_engine(events::disconnect_reason reason) {
  if (released_)
    return;
  released_ = true;
  release_reason_ = reason;
  drop_subscription();
  // With the connect still pending, on_connected logs the disconnect when it succeeds.
  if (connected_)
    log_disconnect();
}

void session::drop_subscription() {
  if (!subscriber_)
    return;
  // Required: a refused unsubscribe would leave the subscription in the engine.
  (void)offload([self = shared_from_this(), id = *subscriber_] {
    if (auto st = self->ctx_.engine.unsubscribe(id); !st.ok())
      spdlog::warn("{} {}: unsubscribe failed: {}", self->protocol_, self->user_,
                   describe(st.error()));
  }, true);
  subscriber_.reset();
}

void session::log_disconnect() {
  spdlog::info("{} {}: disconnected {} ({})", protocol_, user_, conn_,
               events::to_string(release_reason_));
  // The callback holds the session until the engine has logged the disconnect.
  ctx_.engine.run_async(command::disconnect{user_, conn_, release_reason_, from()},
                        [self = shared_from_this()](status st) {
                          if (!st.ok())
                            spdlog::warn("{} {}: disconnect failed: {}", self->protocol_,
                                         self->user_, describe(st.error()));
                        });
}

} // namespace presence::api::rtm
