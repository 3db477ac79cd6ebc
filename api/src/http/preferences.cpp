#include "http/preferences.hpp"

namespace presence::api::http {

result<user_preferences> read_preferences(presence::engine& engine, const std::string& user) {
  auto view = engine.query(user);
  if (!view.ok())
    return view.error();
  return user_preferences{view->auto_away_enabled, std::chrono::seconds{view->idle_timeout},
                          std::chrono::seconds{view->effective_idle_timeout}};
}

result<user_preferences> update_preferences(presence::engine& engine,
                                            const preference_change& change,
                                            const presence::origin& from) {
  auto current = read_preferences(engine, change.user);
  if (!current.ok())
    return current.error();
  auto next = current.value();
  next.auto_away = change.auto_away.value_or(next.auto_away);
  next.idle_timeout = change.idle_timeout.value_or(next.idle_timeout);
  if (auto st = engine.set_preferences(change.user, next.idle_timeout, next.auto_away, from); !st)
    return st.error();
  return read_preferences(engine, change.user);
}

} // namespace presence::api::http
