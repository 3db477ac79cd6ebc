// The user actor's commands (protocol.hpp): each validates against the state, then commits its
// events through the journal or rejects it with a precise error (user_actor.hpp).

#include <algorithm>
#include <chrono>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "errors.hpp"
#include "presence/events/validation.hpp"
#include "protocol.hpp"
#include "user_actor.hpp"

namespace presence::actors::user_impl {

namespace {

using events::payload;

/// The shortest and longest idle timeout a user may set (0 = back to the workspace default).
constexpr std::chrono::seconds min_idle_timeout{30};
constexpr std::chrono::seconds max_idle_timeout = std::chrono::hours{24 * 7};

bool has_connection(const events::user_state& user, const std::string& conn) {
  return std::any_of(user.connections.begin(), user.connections.end(),
                     [&](const events::connection_info& c) { return c.id == conn; });
}

} // namespace

void on(user_actor* self, const command::connect& cmd) {
  const auto& conn = cmd.conn;
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (conn.empty())
    return reject(self, promise, errc::invalid_argument, "connect: empty connection id", now);
  if (has_connection(self->state.user, conn)) { // a repeated connect is a no-op
    schedule(self, now);
    return deliver_ok(promise);
  }
  events::connected body{conn, cmd.client, self->state.env->epoch};
  commit(self, {payload{std::move(body)}}, cmd.from, now, promise);
}

void on(user_actor* self, const command::disconnect& cmd) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (!has_connection(self->state.user, cmd.conn))
    return reject(self, promise, errc::unknown_connection, "disconnect: " + cmd.conn, now);
  commit(self, {payload{events::disconnected{cmd.conn, cmd.reason}}}, cmd.from, now, promise);
}

void on(user_actor* self, const command::activity& cmd) {
  auto promise = begin_command(self);
  auto& st = self->state;
  auto now = st.env->now();
  if (!cmd.conn.empty() && !has_connection(st.user, cmd.conn))
    return reject(self, promise, errc::unknown_connection, "activity: " + cmd.conn, now);
  if (!events::should_log_activity(st.user, st.ctx, st.activity_log_interval, now)) {
    schedule(self, now);
    return deliver_ok(promise);
  }
  commit(self, {payload{events::activity{cmd.conn}}}, cmd.from, now, promise);
}

void on(user_actor* self, const command::report_idle& cmd) {
  auto promise = begin_command(self);
  auto& st = self->state;
  auto now = st.env->now();
  if (!has_connection(st.user, cmd.conn))
    return reject(self, promise, errc::unknown_connection, "idle: " + cmd.conn, now);
  if (!events::can_go_auto_away(st.user)) {
    schedule(self, now);
    return deliver_ok(promise);
  }
  commit(self, {payload{events::away{}}}, cmd.from, now, promise);
}

void on(user_actor* self, const command::set_presence& cmd) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (cmd.mode > events::manual_mode::invisible)
    return reject(self, promise, errc::invalid_presence, "set_presence: unknown mode", now);
  auto until = cmd.until ? events::to_timestamp(*cmd.until) : 0;
  if (cmd.until && until <= now)
    return reject(self, promise, errc::expiration_in_past,
                  "set_presence: until " + std::to_string(until), now);
  std::vector<payload> body{payload{events::presence_set{cmd.mode, until}}};
  // Choosing `auto` is something the person did: it counts as activity (one append, both events).
  if (cmd.mode == events::manual_mode::automatic)
    body.emplace_back(events::activity{});
  commit(self, std::move(body), cmd.from, now, promise);
}

void on(user_actor* self, const command::set_status& cmd) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  auto expiration = cmd.expiration ? events::to_unix(*cmd.expiration) : 0;
  status valid = events::validate_status_text(cmd.text);
  if (valid)
    valid = events::validate_emoji(cmd.emoji);
  if (valid)
    valid = events::validate_expiration(expiration, now);
  if (!valid)
    return reject(self, promise, valid.error().code, valid.error().message, now);
  commit(self, {payload{events::status_set{cmd.text, cmd.emoji, expiration}}}, cmd.from, now,
         promise);
}

void on(user_actor* self, const command::update_status& cmd) {
  auto promise = begin_command(self);
  auto& st = self->state;
  auto now = st.env->now();
  events::status_change change{cmd.text, cmd.emoji, std::nullopt};
  if (cmd.expiration)
    change.expiration = events::to_unix(*cmd.expiration);
  // Merged with what is in force now (an expired status reads empty) inside the actor, so two
  // concurrent partial updates cannot lose each other's fields.
  auto current = events::evaluate(st.user, st.ctx, now).status;
  auto next = events::merge_status(current, change);
  status valid = events::validate_status_text(next.text);
  if (valid)
    valid = events::validate_emoji(next.emoji);
  if (valid && change.expiration)
    valid = events::validate_expiration(next.expiration, now);
  if (!valid)
    return reject(self, promise, valid.error().code, valid.error().message, now);
  std::vector<payload> body;
  if (!change.empty() && !(next == current))
    body.emplace_back(events::status_set{next.text, next.emoji, next.expiration});
  commit(self, std::move(body), cmd.from, now, promise,
         [next](caf::response_promise& p) { p.deliver(next); });
}

void on(user_actor* self, const command::set_preferences& cmd) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  bool workspace_default = cmd.idle_timeout == std::chrono::seconds{0};
  if (!workspace_default &&
      (cmd.idle_timeout < min_idle_timeout || cmd.idle_timeout > max_idle_timeout))
    return reject(self, promise, errc::invalid_argument,
                  "set_preferences: idle_timeout must be 30..604800 seconds (0 = the workspace "
                  "default), not " + std::to_string(cmd.idle_timeout.count()),
                  now);
  commit(self, {payload{events::preferences_set{cmd.idle_timeout.count(), cmd.auto_away}}},
         cmd.from, now, promise);
}

void on(user_actor* self, const use_preset& cmd) {
  auto promise = begin_command(self);
  auto now = self->state.env->now();
  if (cmd.mode > events::manual_mode::invisible)
    return reject(self, promise, errc::invalid_presence, "apply_preset: unknown mode", now);
  if (auto valid = events::validate_status_text(cmd.text); !valid)
    return reject(self, promise, valid.error().code, valid.error().message, now);
  // One event: the status text and the manual presence change together, and the log says
  // which preset it was.
  commit(self, {payload{events::preset_applied{cmd.preset_id, cmd.text, cmd.mode}}}, cmd.from,
         now, promise);
}

void on(user_actor* self, const command::query&) {
  // A query at a past instant never comes here: the directory shard hands it to a history
  // loader (directory.hpp), so reading the past neither spawns nor loads user actors.
  auto promise = begin_command(self);
  auto& st = self->state;
  promise.deliver(events::evaluate(st.user, st.ctx, st.env->now()));
}

namespace {

/// Whether one of the `on` overloads above takes a `T`.
template <class T, class = void>
struct has_user_handler : std::false_type {};
template <class T>
struct has_user_handler<
  T, std::void_t<decltype(on(std::declval<user_actor*>(), std::declval<const T&>()))>>
  : std::true_type {};

/// Calls the `on` overload for the message in `xs` when one takes it; true if one did.
template <class T>
bool try_command(user_actor* self, const caf::type_erased_tuple& xs) {
  if constexpr (has_user_handler<T>::value) {
    if (xs.size() == 1 && xs.match_element<T>(0)) {
      on(self, xs.get_as<T>(0));
      return true;
    }
  }
  return false;
}

template <class... Ts>
bool try_each(user_actor* self, const caf::type_erased_tuple& xs, std::variant<Ts...>*) {
  return (try_command<Ts>(self, xs) || ...);
}

} // namespace

bool handle_command(user_actor* self, const caf::type_erased_tuple& xs) {
  return try_each(self, xs, static_cast<engine::request*>(nullptr)) ||
         try_each(self, xs, static_cast<internal_message*>(nullptr));
}

} // namespace presence::actors::user_impl
