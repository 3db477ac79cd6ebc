// engine: non-blocking forms for event loops. Each sends its request through the engine's
// request_gateway (no actor per call) and calls `done` exactly once.

#include <mutex>

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
  if (at)
    ask_async<events::presence_view>(std::move(done), shard_of(user), query_atom::value, user,
                                     *at);
  else
    ask_async<events::presence_view>(std::move(done), shard_of(user), query_atom::value, user);
}

void engine_impl::query_many_async(
  const std::vector<std::string>& users,
  std::function<void(result<std::vector<std::pair<std::string, events::presence_value>>>)> done) {
  if (!calls_->enter())
    return done(error{errc::shutting_down, "the engine is shutting down"});
  using presence_list = std::vector<std::pair<std::string, events::presence_value>>;
  // One slot per requested id, filled as answers come (on any thread, hence the mutex); unknown
  // ids (errors) stay empty. The last answer calls `done`.
  struct gather {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::optional<events::presence_value>>> slots;
    std::size_t missing = 0;
    std::optional<presence::error> failure;  ///< a failure other than an unknown id
    std::function<void(result<presence_list>)> done;
    std::shared_ptr<call_tracker> calls;

    void finish() {
      if (failure) {
        done(*failure);
      } else {
        presence_list out;
        for (auto& [user, value] : slots)
          if (value)
            out.emplace_back(std::move(user), *value);
        done(std::move(out));
      }
      calls->leave();
    }
  };
  auto state = std::make_shared<gather>();
  for (const auto& user : users)
    state->slots.emplace_back(user, std::nullopt);
  state->missing = users.size();
  state->done = std::move(done);
  state->calls = calls_;
  if (users.empty())
    return state->finish();
  for (std::size_t i = 0; i < users.size(); ++i) {
    gateway_->request(
      shard_of(users[i]),
      [state, i](caf::expected<caf::message> reply) {
        auto view = unpack<events::presence_view>(reply);
        bool last = false;
        {
          std::lock_guard<std::mutex> guard{state->mutex};
          if (view) {
            state->slots[i].second = view->presence;
          } else if (view.error().code != errc::unknown_user
                     && view.error().code != errc::user_deactivated && !state->failure) {
            state->failure = view.error();
          }
          last = --state->missing == 0;
        }
        if (last)
          state->finish();
      },
      query_atom::value, users[i]);
  }
}

} // namespace presence::actors
