// The user actor's commands (protocol.hpp): each validates against the state, then commits its
// events through the journal or rejects it with a precise error (user_actor.hpp).

#include <algorithm>
#include <string>
#include <utility>

#include "errors.hpp"
#include "presence/events/validation.hpp"
#include "protocol.hpp"
#include "user_actor.hpp"

namespace presence::actors::user_impl {

namespace {

using events::payload;

/// The longest idle timeout a user may set (a week, in seconds).
constexpr int64_t max_idle_timeout_seconds = 604800;

bool has_connection(const events::user_state& user, const std::string& conn) {
  return std::any_of(user.connections.begin(), user.connections.end(),
                     [&](const events::connection_info& c) { return c.id == conn; });
}

} // namespace

void on_connect(user_actor* self, const std::string& conn, const std::string& client,
                const std::string& by, const std::string& via) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (conn.empty())
    return reject(self, promise, errc::invalid_argument, "connect: empty connection id", now);
  if (has_connection(self->state.user, conn)) {  // a repeated connect is a no-op
    schedule(self, now);
    return deliver_ok(promise);
  }
  events::connected body{conn, client, self->state.env->epoch};
  commit(self, {payload{std::move(body)}}, by, via, now, promise);
}

void on_disconnect(user_actor* self, const std::string& conn, events::disconnect_reason reason,
                   const std::string& by, const std::string& via) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (!has_connection(self->state.user, conn))
    return reject(self, promise, errc::unknown_connection, "disconnect: " + conn, now);
  commit(self, {payload{events::disconnected{conn, reason}}}, by, via, now, promise);
}

void on_activity(user_actor* self, const std::string& conn, const std::string& by,
                 const std::string& via) {
  auto promise = begin_command(self);
  auto& st = self->state;
  auto now = st.env->now();
  if (!conn.empty() && !has_connection(st.user, conn))
    return reject(self, promise, errc::unknown_connection, "activity: " + conn, now);
  if (!events::should_log_activity(st.user, st.ctx, st.activity_log_interval, now)) {
    schedule(self, now);
    return deliver_ok(promise);
  }
  commit(self, {payload{events::activity{conn}}}, by, via, now, promise);
}

void on_set_presence(user_actor* self, events::manual_mode mode, events::timestamp_us until,
                     const std::string& by, const std::string& via) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (mode > events::manual_mode::invisible)
    return reject(self, promise, errc::invalid_presence, "set_presence: unknown mode", now);
  if (until != 0 && until <= now)
    return reject(self, promise, errc::expiration_in_past,
                  "set_presence: until " + std::to_string(until), now);
  commit(self, {payload{events::presence_set{mode, until}}}, by, via, now, promise);
}

void on_set_status(user_actor* self, const std::string& text, const std::string& emoji,
                   int64_t expiration, const std::string& by, const std::string& via) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  status valid = events::validate_status_text(text);
  if (valid)
    valid = events::validate_emoji(emoji);
  if (valid)
    valid = events::validate_expiration(expiration, now);
  if (!valid)
    return reject(self, promise, valid.error().code, valid.error().message, now);
  commit(self, {payload{events::status_set{text, emoji, expiration}}}, by, via, now, promise);
}

void on_set_prefs(user_actor* self, int64_t idle_timeout, bool auto_away, const std::string& by,
                  const std::string& via) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (idle_timeout < 0 || idle_timeout > max_idle_timeout_seconds)
    return reject(self, promise, errc::invalid_argument,
                  "set_preferences: idle_timeout must be 0..604800 seconds", now);
  commit(self, {payload{events::preferences_set{idle_timeout, auto_away}}}, by, via, now,
         promise);
}

void on_query(user_actor* self) {
  auto promise = begin_command(self);
  auto& st = self->state;
  promise.deliver(events::evaluate(st.user, st.ctx, st.env->now()));
}

void on_query_at(user_actor* self, events::timestamp_us at) {
  auto promise = begin_command(self);
  auto& st = self->state;
  self->request(st.env->loader_for(st.user.id), caf::infinite, load_atom::value, st.user.id, at)
    .then([=](const events::presence_view& then) mutable { promise.deliver(then); },
          [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
}

} // namespace presence::actors::user_impl
