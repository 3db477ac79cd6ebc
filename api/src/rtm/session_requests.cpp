// The inbound half of a session: what each client message does.

#include "session.hpp"

#include <utility>
#include <variant>

#include <boost/asio/post.hpp>

#include "../metrics.hpp"

namespace presence::api::rtm {

namespace net = boost::asio;

void session::handle_text(const std::string& text) {
  auto msg = parse_client_message(text, ctx_.limits.max_query_ids, max_subscription_);
  std::visit([this](auto&& m) { handle(std::move(m)); }, std::move(msg));
}

bool session::admit(const nlohmann::json& reply_to) {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
               clock::now().time_since_epoch())
               .count();
  if (sub_limiter_.try_take(now))
    return true;
  ++ctx_.stats.ratelimited;
  enqueue(render_error(protocol_error::ratelimited,
                       "at most " + std::to_string(ctx_.limits.sub_rate_per_s) +
                         " presence_sub/presence_query per second",
                       reply_to));
  return false;
}

bool session::admit_message() {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
               clock::now().time_since_epoch())
               .count();
  if (msg_limiter_.try_take(now)) {
    msg_limited_ = false;
    return true;
  }
  ++ctx_.stats.ratelimited;
  // One error per burst: answering every dropped message would let a flood drive our output.
  if (!std::exchange(msg_limited_, true))
    enqueue(render_error(protocol_error::ratelimited,
                         "at most " + std::to_string(ctx_.limits.msg_rate_per_s) +
                           " messages per second; messages over it are dropped"));
  return false;
}

void session::handle(presence_sub_message msg) {
  if (!admit(msg.reply_to) || !subscriber_)
    return;
  auto reply_to = msg.reply_to;
  bool queued = offload([self = shared_from_this(), id = *subscriber_, msg = std::move(msg)] {
    auto st = self->ctx_.engine.set_subscription(id, msg.ids);
    if (st.ok())
      return;
    // The engine re-checks max_subscription, which an admin may have lowered since hello.
    bool too_many = st.error().code == errc::invalid_argument;
    // Only the error's name for a server error: its text may hold internal details.
    auto frame = too_many ? render_error(protocol_error::too_many_ids, st.error().message,
                                         msg.reply_to)
                          : render_error(protocol_error::server_error,
                                         presence::to_string(st.error().code), msg.reply_to);
    net::post(self->strand_, [self, frame = std::move(frame)]() mutable {
      self->enqueue(std::move(frame));
    });
  });
  if (!queued)
    enqueue(render_error(protocol_error::busy, "the server is busy; send presence_sub again later",
                         reply_to));
}

void session::handle(presence_query_message msg) {
  if (!admit(msg.reply_to) || msg.ids.empty())
    return;
  ctx_.engine.query_many_async(
    msg.ids, [weak = weak_from_this(), batched = batched_, reply_to = msg.reply_to](
               result<std::vector<std::pair<std::string, events::presence_value>>> answer) {
      auto self = weak.lock();
      if (!self)
        return;
      auto frames = answer.ok()
                      ? render_presence_answer(*answer, batched)
                      : std::vector<std::string>{render_error(
                          protocol_error::server_error,
                          presence::to_string(answer.error().code), reply_to)};
      net::post(self->strand_, [self, frames = std::move(frames)]() mutable {
        self->enqueue(std::move(frames));
      });
    });
}

void session::handle(const ping_message& msg) {
  enqueue(render_pong(msg.frame));
}

void session::handle(const tickle_message&) {
  // What a person did: the engine logs it when it matters for presence (activity_log_interval),
  // and hears of it at most once a second per socket.
  if (last_seen_ - last_activity_sent_ < std::chrono::seconds(1))
    return;
  last_activity_sent_ = last_seen_;
  ++ctx_.stats.ws_activity_forwarded;
  ctx_.engine.run_async(command::activity{user_, conn_, origin{{}, conn_}}, [](status) {});
}

void session::handle(const bad_message& msg) {
  enqueue(render_error(msg.code, msg.detail, msg.reply_to));
}

} // namespace presence::api::rtm
