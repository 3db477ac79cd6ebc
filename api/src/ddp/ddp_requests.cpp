// The DDP session's client messages: connect, ping, methods, subscriptions.

#include "ddp_session.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "rocketchat/rc_args.hpp"

namespace presence::api::ddp {

using json = nlohmann::json;

namespace {

/// `UserPresence:setDefaultStatus`'s argument as Rocket.Chat's client sends it (online, away,
/// busy, offline) to presence's manual mode, as `users.setStatus` maps it.
std::optional<events::manual_mode> default_status(const json& params) {
  if (params.size() != 1 || !params[0].is_string())
    return std::nullopt;
  return rocketchat::manual_from_rc(params[0].get<std::string>());
}

bool is_presence_method(const std::string& name) {
  return name == "UserPresence:online" || name == "UserPresence:away" ||
         name == "UserPresence:setDefaultStatus";
}

} // namespace

void ddp_session::handle(const connect_message& msg) {
  if (connected_ddp_) {
    enqueue(ddp::render_error("Already connected", {{"msg", "connect"}}));
    return;
  }
  if (negotiate(msg).empty()) {
    // DDP: the server answers `failed` with the version it would speak and closes the socket.
    enqueue(render_failed());
    begin_close(ws::close_code::normal, "unsupported DDP version",
                events::disconnect_reason::closed, false, close_deadline());
    return;
  }
  connected_ddp_ = true;
  enqueue(render_connected(connection_id()));
}

void ddp_session::handle(const ping_message& msg) {
  enqueue(render_pong(msg.id));
}

void ddp_session::handle(const bad_message& msg) {
  enqueue(ddp::render_error(msg.reason, msg.offending));
}

void ddp_session::fail_method(const std::string& id, const json& error) {
  enqueue(render_result_error(id, error));
  enqueue(render_updated(id));
}

void ddp_session::answer_method(const std::string& id, const json& result) {
  enqueue(render_result(id, result));
  enqueue(render_updated(id));
}

void ddp_session::handle(const method_message& msg) {
  if (msg.method == "login") {
    login(msg);
    return;
  }
  if (!is_presence_method(msg.method)) {
    fail_method(msg.id, meteor_error(404, "Method '" + msg.method + "' not found"));
    return;
  }
  if (!logged_in_) {
    fail_method(msg.id, meteor_error("error-invalid-user", "Invalid user",
                                     {{"method", msg.method}}));
    return;
  }
  presence_method(msg);
}

void ddp_session::presence_method(const method_message& msg) {
  auto reply = [weak = weak_from_this(), id = msg.id](status st) {
    auto self = std::static_pointer_cast<ddp_session>(weak.lock());
    if (!self)
      return;
    self->on_strand([self, id, st = std::move(st)] {
      if (st.ok())
        self->answer_method(id, true);
      else
        self->fail_method(id, meteor_error(500, std::string("Internal server error: ") +
                                                  presence::to_string(st.error().code)));
    });
  };
  auto& engine = context().engine;
  auto by = from();
  if (msg.method == "UserPresence:online") {
    // The client saw its person again: activity (no answer waits on the engine for it).
    note_activity();
    answer_method(msg.id, true);
    return;
  }
  if (msg.method == "UserPresence:away") {
    // The client's own idle detection: auto-away now, until the next activity.
    engine.run_async(command::report_idle{user(), connection_id(), by}, std::move(reply));
    return;
  }
  auto mode = default_status(msg.params);
  if (!mode) {
    fail_method(msg.id, meteor_error("error-invalid-status",
                                     "Status must be online, away, busy or offline",
                                     {{"method", msg.method}}));
    return;
  }
  engine.run_async(command::set_presence{user(), *mode, std::nullopt, by}, std::move(reply));
}

bool ddp_session::watching_user_status() const {
  for (const auto& [id, event] : subs_)
    if (event == user_status_event)
      return true;
  return false;
}

void ddp_session::handle(const sub_message& msg) {
  if (subs_.count(msg.id) > 0) {
    enqueue(render_nosub(msg.id, meteor_error(400, "Duplicate subscription id")));
    return;
  }
  if (msg.name != logged_stream) {
    enqueue(render_nosub(msg.id, meteor_error(404, "Subscription '" + msg.name + "' not found")));
    return;
  }
  if (!logged_in_) {
    enqueue(render_nosub(msg.id, meteor_error("not-allowed", "Not allowed")));
    return;
  }
  std::string event;
  if (!msg.params.empty() && msg.params[0].is_string())
    event = msg.params[0].get<std::string>();
  if (event != user_status_event && event != service_status_event) {
    enqueue(render_nosub(msg.id, meteor_error("not-allowed", "Not allowed",
                                              {{"eventName", event}})));
    return;
  }
  if (subs_.size() >= 16) {
    enqueue(render_nosub(msg.id, meteor_error(400, "Too many subscriptions")));
    return;
  }
  subs_.emplace(msg.id, event);
  if (event == service_status_event) {
    enqueue(render_ready(msg.id));
    if (service_)
      enqueue(render_service_status(*service_));
    return;
  }
  if (subjects_set_) {
    enqueue(render_ready(msg.id));
    return;
  }
  subscribe_everyone(msg.id);
}

void ddp_session::subscribe_everyone(const std::string& sub_id) {
  subjects_set_ = true;
  bool queued = offload([self = std::static_pointer_cast<ddp_session>(shared_from_this()), sub_id] {
    // Every active user, in id order, up to max_subscription: Rocket.Chat's user-status stream
    // tells a logged-in client about everyone.
    auto& engine = self->context().engine;
    std::vector<std::string> ids;
    std::string after;
    std::size_t cap = self->max_subscription();
    std::optional<presence::error> failure;
    while (ids.size() < cap) {
      auto page = engine.users(after, 500);
      if (!page.ok()) {
        failure = page.error();
        break;
      }
      for (const auto& user : *page)
        if (user.active && ids.size() < cap)
          ids.push_back(user.id);
      if (page->size() < 500)
        break;
      after = page->back().id;
    }
    self->on_strand([self, sub_id, ids = std::move(ids), failure]() mutable {
      if (self->subs_.count(sub_id) == 0)
        return;  // unsubscribed meanwhile (unsub cleared the subjects)
      if (failure) {
        self->subjects_set_ = false;
        self->subs_.erase(sub_id);
        self->enqueue(render_nosub(sub_id, meteor_error(500, std::string("Internal server error: ") +
                                                               presence::to_string(failure->code))));
        return;
      }
      self->enqueue(render_ready(sub_id));
      // The current presences the engine sends now are recorded, not sent: only changes are.
      self->syncing_ = true;
      self->set_subjects(std::move(ids), [weak = self->weak_from_this()](status st) {
        auto alive = std::static_pointer_cast<ddp_session>(weak.lock());
        if (!alive)
          return;
        alive->syncing_ = false;
        if (!st.ok())
          spdlog::warn("ddp {}: subscribe failed: {}", alive->user(), describe(st.error()));
      });
    });
  });
  if (!queued) {
    // The engine-call queue is full: the subscription fails now rather than waiting in it.
    subjects_set_ = false;
    subs_.erase(sub_id);
    enqueue(render_nosub(sub_id, meteor_error(503, "Server busy, subscribe again later")));
  }
}

void ddp_session::handle(const unsub_message& msg) {
  subs_.erase(msg.id);
  if (subjects_set_ && !watching_user_status()) {
    subjects_set_ = false;
    set_subjects({}, [](status) {});
  }
  enqueue(render_nosub(msg.id));
}

} // namespace presence::api::ddp
