// engine: non-blocking forms for event loops. Each spawns a short-lived actor that makes the
// request and calls `done` exactly once from a CAF worker thread.

#include "engine_impl.hpp"

namespace presence::actors {

void engine_impl::connect_async(const std::string& user, const std::string& conn,
                                const std::string& client, const origin& from,
                                status_callback done) {
  tell_async(std::move(done), shard_of(user), connect_atom::value, user, conn, client, by(from),
             via(from));
}

void engine_impl::disconnect_async(const std::string& user, const std::string& conn,
                                   events::disconnect_reason reason, const origin& from,
                                   status_callback done) {
  tell_async(std::move(done), shard_of(user), disconnect_atom::value, user, conn, reason,
             by(from), via(from));
}

void engine_impl::activity_async(const std::string& user, const std::string& conn,
                                 const origin& from, status_callback done) {
  tell_async(std::move(done), shard_of(user), activity_atom::value, user, conn, by(from),
             via(from));
}

void engine_impl::set_presence_async(const std::string& user, events::manual_mode mode,
                                     events::timestamp_us until, const origin& from,
                                     status_callback done) {
  tell_async(std::move(done), shard_of(user), set_presence_atom::value, user, mode, until,
             by(from), via(from));
}

void engine_impl::set_status_async(const std::string& user, const std::string& text,
                                   const std::string& emoji, int64_t expiration,
                                   const origin& from, status_callback done) {
  tell_async(std::move(done), shard_of(user), set_status_atom::value, user, text, emoji,
             expiration, by(from), via(from));
}

void engine_impl::query_async(const std::string& user, std::optional<events::timestamp_us> at,
                              std::function<void(result<events::presence_view>)> done) {
  if (!calls_->enter())
    return done(error{errc::shutting_down, "the engine is shutting down"});
  auto timeout = config_.request_timeout;
  auto calls = calls_;
  auto dest = shard_of(user);
  system_.spawn([=](caf::event_based_actor* self) {
    auto reply = [=](result<events::presence_view> out) {
      done(std::move(out));
      calls->leave();
    };
    auto on_view = [=](events::presence_view& view) { reply(std::move(view)); };
    auto on_error = [=](caf::error& err) { reply(from_caf_error(err)); };
    if (at)
      self->request(dest, timeout, query_atom::value, user, *at).then(on_view, on_error);
    else
      self->request(dest, timeout, query_atom::value, user).then(on_view, on_error);
  });
}

void engine_impl::query_many_async(
  const std::vector<std::string>& users,
  std::function<void(result<std::vector<std::pair<std::string, events::presence_value>>>)> done) {
  if (!calls_->enter())
    return done(error{errc::shutting_down, "the engine is shutting down"});
  using presence_list = std::vector<std::pair<std::string, events::presence_value>>;
  // One slot per requested id, filled as answers come; unknown ids (errors) stay empty.
  struct gather {
    std::vector<std::pair<std::string, std::optional<events::presence_value>>> slots;
    std::size_t missing = 0;
    std::optional<presence::error> failure;  ///< a failure other than an unknown id
  };
  auto state = std::make_shared<gather>();
  for (const auto& user : users)
    state->slots.emplace_back(user, std::nullopt);
  state->missing = users.size();
  std::vector<caf::actor> shards;
  shards.reserve(users.size());
  for (const auto& user : users)
    shards.push_back(shard_of(user));
  auto timeout = config_.request_timeout;
  auto calls = calls_;
  system_.spawn([=](caf::event_based_actor* self) {
    auto finish = [=] {
      if (state->failure) {
        done(*state->failure);
        calls->leave();
        return;
      }
      presence_list out;
      for (auto& [user, value] : state->slots)
        if (value)
          out.emplace_back(std::move(user), *value);
      done(std::move(out));
      calls->leave();
    };
    if (state->missing == 0)
      return finish();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      self->request(shards[i], timeout, query_atom::value, state->slots[i].first)
        .then(
          [=](const events::presence_view& view) {
            state->slots[i].second = view.presence;
            if (--state->missing == 0)
              finish();
          },
          [=](caf::error& err) {
            auto failure = from_caf_error(err);
            if (failure.code != errc::unknown_user && failure.code != errc::user_deactivated
                && !state->failure)
              state->failure = std::move(failure);
            if (--state->missing == 0)
              finish();
          });
    }
  });
}

} // namespace presence::actors
