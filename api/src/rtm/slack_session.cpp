// Slack's RTM protocol over a session: the opening, the client messages, the rendering.

#include "slack_session.hpp"

#include <utility>
#include <variant>

#include "../metrics.hpp"

namespace presence::api::rtm {

slack_session::slack_session(boost::beast::tcp_stream stream, request req, credential who,
                             bool batch_presence_aware, std::string client,
                             session_context& ctx, std::shared_ptr<void> hold)
  : session(std::move(stream), std::move(req), std::move(who), true, "rtm", std::move(client),
            ctx, std::move(hold)),
    batched_(batch_presence_aware),
    sub_limiter_(ctx.limits.sub_rate_per_s) {}

void slack_session::on_open() {
  connect_presence();
}

void slack_session::on_presence_open(const presence::engine::service_state& service) {
  enqueue(render_hello());
  if (!service.enabled)
    enqueue(render_service_status(service));
  start_reading();
}

void slack_session::on_connect_refused(errc code) {
  begin_close(ws::close_code::policy_error,
              std::string("connect refused: ") + presence::to_string(code),
              events::disconnect_reason::closed, true, close_deadline());
}

void slack_session::on_message(const std::string& message, bool text) {
  if (!text) {
    enqueue(render_error(protocol_error::invalid_message, "binary frames are not accepted"));
    return;
  }
  auto msg = parse_client_message(message, context().limits.max_query_ids, max_subscription());
  std::visit([this](auto&& m) { handle(std::move(m)); }, std::move(msg));
}

std::string slack_session::render_rate_limited(int limit) {
  return render_error(protocol_error::ratelimited,
                      "at most " + std::to_string(limit) +
                        " messages per second; messages over it are dropped");
}

std::vector<std::string> slack_session::render(const std::vector<notification>& notes) {
  std::vector<std::string> frames;
  for (const auto& note : notes)
    for (auto& frame : render_notification(note, batched_))
      frames.push_back(std::move(frame));
  return frames;
}

std::vector<std::string> slack_session::farewell(events::disconnect_reason reason) {
  if (!presence_open())
    return {};  // before hello the client is told nothing
  return {is_revocation(reason) ? render_goodbye(events::to_string(reason)) : render_goodbye()};
}

bool slack_session::admit(const nlohmann::json& reply_to) {
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
               clock::now().time_since_epoch())
               .count();
  if (sub_limiter_.try_take(now))
    return true;
  ++context().stats.ratelimited;
  enqueue(render_error(protocol_error::ratelimited,
                       "at most " + std::to_string(context().limits.sub_rate_per_s) +
                         " presence_sub/presence_query per second",
                       reply_to));
  return false;
}

void slack_session::handle(presence_sub_message msg) {
  if (!admit(msg.reply_to))
    return;
  auto reply_to = msg.reply_to;
  set_subjects(std::move(msg.ids), [weak = weak_from_this(), reply_to](status st) {
    auto self = std::static_pointer_cast<slack_session>(weak.lock());
    if (!self || st.ok())
      return;
    const auto& err = st.error();
    // The engine re-checks max_subscription, which an admin may have lowered since hello.
    bool too_many = err.code == errc::invalid_argument;
    if (err.code == errc::busy) {
      self->enqueue(render_error(protocol_error::busy,
                                 "the server is busy; send presence_sub again later", reply_to));
      return;
    }
    // Only the error's name for a server error: its text may hold internal details.
    self->enqueue(too_many ? render_error(protocol_error::too_many_ids, err.message, reply_to)
                           : render_error(protocol_error::server_error,
                                          presence::to_string(err.code), reply_to));
  });
}

void slack_session::handle(presence_query_message msg) {
  if (!admit(msg.reply_to) || msg.ids.empty())
    return;
  context().engine.query_many_async(
    msg.ids, [weak = weak_from_this(), batched = batched_, reply_to = msg.reply_to](
               result<std::vector<std::pair<std::string, events::presence_value>>> answer) {
      auto self = std::static_pointer_cast<slack_session>(weak.lock());
      if (!self)
        return;
      auto frames = answer.ok()
                      ? render_presence_answer(*answer, batched)
                      : std::vector<std::string>{render_error(
                          protocol_error::server_error,
                          presence::to_string(answer.error().code), reply_to)};
      self->on_strand([self, frames = std::move(frames)]() mutable {
        self->enqueue(std::move(frames));
      });
    });
}

void slack_session::handle(const ping_message& msg) {
  enqueue(render_pong(msg.frame));
}

void slack_session::handle(const tickle_message&) {
  note_activity();
}

void slack_session::handle(const bad_message& msg) {
  enqueue(render_error(msg.code, msg.detail, msg.reply_to));
}

void start_session(boost::beast::tcp_stream stream,
                   boost::beast::http::request<boost::beast::http::string_body> req,
                   credential who, bool batch_presence_aware, std::string client,
                   session_context& ctx, std::shared_ptr<void> hold) {
  std::make_shared<slack_session>(std::move(stream), std::move(req), std::move(who),
                                  batch_presence_aware, std::move(client), ctx, std::move(hold))
    ->start();
}

} // namespace presence::api::rtm
