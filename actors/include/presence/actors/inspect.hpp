#pragma once

// CAF `inspect` overloads for every type the engine's actors exchange: what CAF needs to put them
// in messages, and to carry them between processes (CAF's network layer, presence/cluster). A host
// that sends the engine's types to actors of its own, or to other nodes, includes this.

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

#include "presence/actors/commands.hpp"
#include "presence/actors/engine.hpp"
#include "presence/actors/engine_caf.hpp"
#include "presence/events/codec.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::events {

/// An event travels as its codec encoding (the codec owns the payload variant's format).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  std::string bytes;
  if constexpr (Inspector::reads_state)
    bytes = encode(x);
  auto load = caf::meta::load_callback([&]() -> caf::error {
    auto decoded = decode(bytes, x.seq);
    if (!decoded)
      return caf_error_of(decoded.error());
    x = std::move(decoded.value());
    return caf::none;
  });
  return f(caf::meta::type_name("presence.event"), x.seq, bytes, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_info& x) {
  return f(caf::meta::type_name("presence.connection_info"), x.id, x.client, x.epoch, x.opened_at,
           x.last_activity);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, custom_status& x) {
  return f(caf::meta::type_name("presence.custom_status"), x.text, x.emoji, x.expiration);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_state& x) {
  return f(caf::meta::type_name("presence.user_state"), x.id, x.connections, x.last_activity,
           x.auto_away, x.manual, x.manual_until, x.status, x.idle_timeout, x.auto_away_enabled,
           x.last_seq, x.event_count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, presence_view& x) {
  return f(caf::meta::type_name("presence.presence_view"), x.presence, x.online, x.auto_away,
           x.manual_away, x.connection_count, x.last_activity, x.manual, x.status, x.idle_timeout,
           x.effective_idle_timeout, x.auto_away_enabled);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, presence_context& x) {
  return f(caf::meta::type_name("presence.presence_context"), x.service_enabled,
           x.default_idle_timeout, x.mobile_idle_timeout);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, workspace_settings& x) {
  return f(caf::meta::type_name("presence.workspace_settings"), x.idle_timeout, x.connection_limit,
           x.flush_interval_ms, x.activity_log_interval, x.auto_reenable_below,
           x.degraded_query_only, x.max_subscription, x.mobile_idle_timeout,
           x.history_of_others);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_record& x) {
  return f(caf::meta::type_name("presence.user_record"), x.id, x.name, x.admin, x.active,
           x.created_at, x.bot, x.always_active);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, preset& x) {
  return f(caf::meta::type_name("presence.preset"), x.id, x.name, x.presence,
           x.updated_at);
}

} // namespace presence::events

namespace presence::actors::detail {

/// A callable that takes any fields (for the test below).
struct any_fields {
  template <class... Ts>
  int operator()(Ts&...) const {
    return 0;
  }
};

/// Whether `T` lists its fields with `fields(f)` (commands.hpp).
template <class T, class = void>
struct has_fields : std::false_type {};
template <class T>
struct has_fields<T, std::void_t<decltype(std::declval<T&>().fields(any_fields{}))>>
  : std::true_type {};

/// A `std::optional` field as CAF sees it: a flag and a value (CAF 0.17 has no std::optional).
template <class T>
struct optional_field {
  std::optional<T>& ref;
};

template <class T>
T& as_field(T& x) {
  return x;
}
template <class T>
optional_field<T> as_field(std::optional<T>& x) {
  return {x};
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, optional_field<T>& x) {
  bool present = x.ref.has_value();
  T value = present ? *x.ref : T{};
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x.ref = present ? std::optional<T>{std::move(value)} : std::nullopt;
    return caf::none;
  });
  return f(present, value, load);
}

} // namespace presence::actors::detail

namespace presence {

/// Every struct with `fields(f)` (the commands, `origin`, `identity`, `issued_token`) travels as
/// its fields.
template <class Inspector, class T>
std::enable_if_t<actors::detail::has_fields<T>::value, typename Inspector::result_type>
inspect(Inspector& f, T& x) {
  return x.fields([&f](auto&... xs) { return f(actors::detail::as_field(xs)...); });
}

namespace command {
using presence::inspect;
} // namespace command

namespace actors {
using presence::inspect; // for the structs of protocol.hpp
} // namespace actors

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_profile& x) {
  return f(caf::meta::type_name("presence.user_profile"), x.user, x.status);
}

/// Every field, so a notification crosses to another cluster node whole; the shared profiles
/// travel as a list.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification& x) {
  std::vector<user_profile> profiles;
  if constexpr (Inspector::reads_state) {
    if (x.profiles)
      profiles = *x.profiles;
  }
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x.profiles = profiles.empty()
                   ? nullptr
                   : std::make_shared<const std::vector<user_profile>>(std::move(profiles));
    return caf::none;
  });
  return f(caf::meta::type_name("presence.notification"), x.type, x.presence, x.users, x.status,
           x.service_enabled, x.reason, x.connections, x.limit, profiles, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, engine::service_state& x) {
  return f(caf::meta::type_name("presence.service_state"), x.enabled, x.connections, x.limit,
           x.reason, x.node_connections);
}

} // namespace presence
