// The DDP session's life: the opening, the login, the rendering of engine notifications.

#include "ddp_session.hpp"

#include <chrono>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "presence/events/time.hpp"
#include "../bounded_json.hpp"

namespace presence::api::ddp {

namespace beast = boost::beast;
using json = nlohmann::json;

namespace {

/// Presence tokens do not expire; a resume token's `tokenExpires` says Rocket.Chat's default
/// login lifetime from now, so clients keep using it.
constexpr std::chrono::hours token_lifetime{24 * 90};

/// The Meteor error a refused login is answered with.
json login_error(const login_outcome& outcome) {
  switch (*outcome.refusal) {
    case login_refusal::invalid_token:
      return meteor_error(403, "You've been logged out by the server. Please log in again.",
                          {{"code", "invalid_auth"}});
    case login_refusal::token_revoked:
      return meteor_error(403, "You've been logged out by the server. Please log in again.",
                          {{"code", "token_revoked"}});
    case login_refusal::account_inactive:
      return meteor_error("error-user-is-not-activated", "User is not activated",
                          {{"code", "account_inactive"}});
    case login_refusal::too_many_attempts:
      return meteor_error("too-many-requests",
                          "Error, too many requests. Please slow down. You must wait " +
                            std::to_string(outcome.retry_after) +
                            " seconds before trying again.",
                          {{"timeToReset", outcome.retry_after * 1000}});
    case login_refusal::too_many_connections:
      return meteor_error("error-too-many-connections",
                          "Too many connections open for this user");
    case login_refusal::unavailable:
      return meteor_error(503, "Service unavailable, try again");
  }
  return meteor_error(500, "Internal server error");
}

} // namespace

ddp_session::ddp_session(beast::tcp_stream stream, request req, login_fn login,
                         rtm::session_context& ctx, std::shared_ptr<void> hold)
  : session(std::move(stream), std::move(req), {}, false, "ddp", "ddp", ctx, std::move(hold)),
    login_(std::move(login)),
    login_timer_(strand()) {}

void ddp_session::on_open() {
  enqueue(render_server_id());
  start_reading();
  // Bounded work before authentication: a socket that has not logged in by the deadline is
  // closed, a token lookup still under way included (its answer then finds the socket closing).
  // Only a login whose token was accepted and whose connect the engine is logging goes on.
  login_timer_.expires_after(close_deadline());
  login_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = std::static_pointer_cast<ddp_session>(weak.lock());
    if (ec || !self || self->logged_in_ || !self->user().empty() || self->closing())
      return;
    spdlog::debug("ddp: no login within {} ms, closing", self->close_deadline().count());
    self->begin_close(ws::close_code::policy_error, "login timeout",
                      events::disconnect_reason::closed, false, self->close_deadline());
  });
}

void ddp_session::login(const method_message& msg) {
  if (logging_in_ || logged_in_) {
    fail_method(msg.id, meteor_error(400, "Already logged in"));
    return;
  }
  const json* resume = nullptr;
  if (msg.params.size() == 1 && msg.params[0].is_object()) {
    auto it = msg.params[0].find("resume");
    if (it != msg.params[0].end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      resume = &*it;
  }
  if (!resume) {
    // Only resume tokens: passwords and OAuth are Rocket.Chat's, not presence's.
    fail_method(msg.id, meteor_error(400, "Unrecognized options for login request"));
    return;
  }
  logging_in_ = true;
  login_id_ = msg.id;
  auto secret = resume->get<std::string>();
  login_(secret, [weak = weak_from_this(), secret](login_outcome outcome) {
    auto self = std::static_pointer_cast<ddp_session>(weak.lock());
    if (!self) {
      if (!outcome.refusal)
        rtm::release_user_session(outcome.user);  // reserved for a socket now gone
      return;
    }
    self->on_strand([self, secret, outcome = std::move(outcome)] { self->on_login(secret, outcome); });
  });
}

void ddp_session::on_login(const std::string& secret, const login_outcome& outcome) {
  logging_in_ = false;
  if (outcome.refusal) {
    if (!closing())
      fail_method(login_id_, login_error(outcome));
    return;
  }
  // The login reserved a place in the user's cap: the session gives it back when it ends.
  resume_token_ = secret;  // answered once the presence connection is open, then forgotten
  set_who(rtm::credential{outcome.user, outcome.token_id, outcome.address}, true,
          outcome.bot ? "bot" : "ddp");
  if (closing())
    return;
  connect_presence();
}

void ddp_session::on_presence_open(const presence::engine::service_state& service) {
  logged_in_ = true;
  login_timer_.cancel();
  service_ = service;
  auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
    (events::wall_clock_now() + token_lifetime).time_since_epoch());
  answer_method(login_id_, {{"id", user()},
                            {"token", std::exchange(resume_token_, {})},
                            {"tokenExpires", {{"$date", expires.count()}}},
                            {"type", "resume"}});
}

void ddp_session::on_connect_refused(errc code) {
  fail_method(login_id_, meteor_error(503, std::string("Connection refused: ") +
                                             presence::to_string(code)));
  begin_close(ws::close_code::policy_error,
              std::string("connect refused: ") + presence::to_string(code),
              events::disconnect_reason::closed, false, close_deadline());
}

void ddp_session::on_message(const std::string& message, bool text) {
  if (!text) {
    enqueue(ddp::render_error("Bad request"));
    return;
  }
  auto msg = parse_client_message(message);
  // Meteor's order: a parse error, a message without `msg`, then `connect` must come first.
  if (!connected_ddp_ && !std::holds_alternative<connect_message>(msg) &&
      !std::holds_alternative<bad_message>(msg)) {
    enqueue(ddp::render_error("Must connect first", parse_client_json(message)));
    return;
  }
  std::visit([this](const auto& m) { handle(m); }, msg);
}

std::string ddp_session::render_rate_limited(int limit) {
  return ddp::render_error("Too many messages: at most " + std::to_string(limit) +
                           " per second; messages over it are dropped");
}

std::vector<std::string> ddp_session::render(const std::vector<notification>& notes) {
  std::vector<std::string> frames;
  bool service = false;
  for (const auto& [id, event] : subs_)
    service = service || event == service_status_event;
  for (const auto& note : notes) {
    switch (note.type) {
      case notification::kind::presence_change:
        for (const auto& user : note.users) {
          seen_[user].presence = note.presence;
          presence_changed(user, frames);
        }
        break;
      case notification::kind::user_status_changed: {
        if (note.users.empty())
          break;
        auto& last = seen_[note.users[0]];
        last.text = note.status.text;
        last.text_known = true;
        if (!syncing_ && !last.fetching && last.presence && watching_user_status())
          frames.push_back(render_user_status(note.users[0], *last.presence, last.text));
        break;
      }
      case notification::kind::presence_service_status:
        service_ = presence::engine::service_state{note.service_enabled, note.connections,
                                                   note.limit, note.reason};
        if (service)
          frames.push_back(render_service_status(*service_));
        break;
      case notification::kind::manual_presence_change:
        break;  // the user's own presence reaches user-status like anyone's
      case notification::kind::user_change:
        break;  // status text reaches user-status with the user's status notes
      case notification::kind::reconnect:
      case notification::kind::credentials_changed:
        break;  // the connection closes (session.cpp); the server's own (server.cpp)
    }
  }
  return frames;
}

void ddp_session::presence_changed(const std::string& user, std::vector<std::string>& frames) {
  auto& last = seen_[user];
  if (syncing_ || last.fetching || !watching_user_status())
    return;
  if (last.text_known)
    frames.push_back(render_user_status(user, *last.presence, last.text));
  else
    fetch_status_text(user);
}

void ddp_session::fetch_status_text(const std::string& user) {
  // Once per user and socket, on its first change: the broadcaster's presence changes do not
  // carry the status text, and the event must not blank it.
  seen_[user].fetching = true;
  context().engine.run_async(
    command::query{user, std::nullopt},
    [weak = weak_from_this(), user](result<events::presence_view> view) {
      auto self = std::static_pointer_cast<ddp_session>(weak.lock());
      if (!self)
        return;
      self->on_strand([self, user, view = std::move(view)] {
        auto& last = self->seen_[user];
        last.fetching = false;
        if (!last.text_known && view.ok()) {
          last.text = view->status.text;  // unless a status change told a newer one meanwhile
          last.text_known = true;
        }
        if (last.presence && self->watching_user_status() && !self->closing())
          self->enqueue(render_user_status(user, *last.presence, last.text));
      });
    });
}

std::vector<std::string> ddp_session::farewell(events::disconnect_reason) {
  // Meteor closes a logged-out or stopping connection without a message; the close frame's
  // code and text say why (1008 token_revoked / account_inactive, 1001 at shutdown).
  return {};
}

void start_session(beast::tcp_stream stream,
                   beast::http::request<beast::http::string_body> req, login_fn login,
                   rtm::session_context& ctx, std::shared_ptr<void> hold) {
  std::make_shared<ddp_session>(std::move(stream), std::move(req), std::move(login), ctx,
                                std::move(hold))
    ->start();
}

} // namespace presence::api::ddp
