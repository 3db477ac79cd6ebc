// The outbound half of a session: the bounded queue, the write loop, engine notifications.

#include "session.hpp"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "../metrics.hpp"

namespace presence::api::rtm {

namespace net = boost::asio;
namespace beast = boost::beast;

void session::enqueue(std::vector<std::string> frames) {
  for (auto& frame : frames)
    enqueue(std::move(frame));
}

void session::enqueue(std::string frame) {
  if (closing_ || finished_)
    return;
  if (!queue_.push(std::move(frame))) {
    spdlog::info("{} {}: backlog over {} bytes, closing {} as a slow consumer", protocol_,
                 user_, queue_.max_bytes(), conn_);
    ++ctx_.stats.ws_closed_slow_consumer;
    begin_close(ws::close_code::policy_error, "slow consumer",
                events::disconnect_reason::kicked, true, close_deadline());
    return;
  }
  if (!writing_)
    do_write();
}

void session::do_write() {
  writing_ = true;
  ws_->async_write_text(net::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec) { self->on_write(ec); });
}

void session::on_write(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    // The socket is broken (the pending read reports the end and finishes the session), or a
    // close is under way (error::closed: the stream ends the connection itself).
    queue_.drop_unsent(false);
    if (!finished_ && ec != ws::error::closed)
      abort_socket();
    return;
  }
  ++ctx_.stats.ws_messages_out;
  queue_.pop();
  if (finished_) {
    queue_.drop_unsent(false);
    return;
  }
  if (!queue_.empty())
    do_write();
  else
    maybe_send_close();
}

notification_callback session::make_sink() {
  return [weak = weak_from_this()](const notification& note) {
    auto self = weak.lock();
    if (!self)
      return;
    if (note.type == notification::kind::reconnect) {
      // The cluster node that owns this user was lost: the client reconnects (to any node).
      self->shut_down(events::disconnect_reason::node_lost);
      return;
    }
    // Notes that arrive before the strand drains ride along and merge (notification_inbox.hpp).
    if (self->inbox_.add(note))
      net::post(self->strand_, [self] { self->drain_inbox(); });
  };
}

void session::drain_inbox() {
  auto notes = inbox_.take_notes();
  if (closing_ || finished_)
    return;
  auto frames = render(notes);
  if (!presence_open_) {
    // Before the protocol's opening (between subscribe and its answer): keep the order.
    for (auto& frame : frames)
      early_frames_.push_back(std::move(frame));
    return;
  }
  for (const auto& note : notes)
    if (note.type == notification::kind::presence_change)
      ctx_.stats.broadcast_deliveries += note.users.size();
  enqueue(std::move(frames));
}

} // namespace presence::api::rtm
