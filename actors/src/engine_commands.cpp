// engine: the one entry point of requests (submit), and the reads answered from memory.

#include <future>
#include <mutex>
#include <optional>
#include <variant>

#include "engine_impl.hpp"
#include "presence/storage/recovery.hpp"

namespace presence::actors {

namespace {

/// The reply of a `Command` as the facade's `reply` variant: the unit answer of a void command
/// is `std::monostate`, any other the value.
template <class Command>
result<engine::reply> to_reply(caf::expected<caf::message>& answer) {
  using value = typename Command::reply;
  if constexpr (std::is_void_v<value>) {
    if (!answer)
      return from_caf_error(answer.error());
    return engine::reply{std::monostate{}};
  } else {
    auto out = unpack<value>(answer);
    if (!out)
      return out.error();
    return engine::reply{std::move(out.value())};
  }
}

} // namespace

void engine_impl::submit(request req, std::function<void(result<reply>)> done) {
  if (!calls_->enter())
    return done(error{errc::shutting_down, "the engine is shutting down"});
  std::visit(
    [&](auto& cmd) {
      using command_type = std::decay_t<decltype(cmd)>;
      const auto& dest = destination(cmd);
      gateway_->request(
        dest,
        [done = std::move(done), calls = calls_](caf::expected<caf::message> answer) {
          done(to_reply<command_type>(answer));
          calls->leave();
        },
        std::move(cmd));
    },
    req);
}

void engine_impl::query_many_async(const std::vector<std::string>& users,
                                   std::function<void(result<presence_list>)> done) {
  if (!calls_->enter())
    return done(error{errc::shutting_down, "the engine is shutting down"});
  // One slot per requested id, filled as answers come (on any thread, hence the mutex); unknown
  // ids (errors) stay empty. The last answer calls `done`.
  struct gather {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::optional<events::presence_value>>> slots;
    std::size_t missing = 0;
    std::optional<presence::error> failure; ///< a failure other than an unknown id
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
      [state, i](caf::expected<caf::message> answer) {
        auto view = unpack<events::presence_view>(answer);
        bool last = false;
        {
          std::lock_guard<std::mutex> guard{state->mutex};
          if (view) {
            state->slots[i].second = view->presence;
          } else if (view.error().code != errc::unknown_user &&
                     view.error().code != errc::user_deactivated && !state->failure) {
            state->failure = view.error();
          }
          last = --state->missing == 0;
        }
        if (last)
          state->finish();
      },
      command::query{users[i], std::nullopt});
  }
}

result<events::workspace_settings> engine_impl::settings() {
  return ask<events::workspace_settings>(supervisor_, caf::get_atom::value, settings_atom::value);
}

result<std::vector<events::preset>> engine_impl::presets() {
  return ask<std::vector<events::preset>>(supervisor_, caf::get_atom::value, presets_atom::value);
}

result<engine::service_state> engine_impl::service() {
  return ask<service_state>(supervisor_, caf::get_atom::value, service_atom::value);
}

result<std::vector<events::user_record>> engine_impl::users(const std::string& after,
                                                            std::size_t limit) {
  return ask<std::vector<events::user_record>>(supervisor_, caf::get_atom::value,
                                               users_atom::value, after,
                                               static_cast<uint64_t>(limit));
}

result<storage::history_slice> engine_impl::history(const std::string& user,
                                                    events::instant since,
                                                    events::instant until) {
  return storage::history_between(*log_, user, events::to_timestamp(since),
                                  events::to_timestamp(until));
}

engine_stats engine_impl::stats() const {
  return counters_->snapshot();
}

} // namespace presence::actors

namespace presence {

result<engine::presence_list> engine::query_many(const std::vector<std::string>& users) {
  std::promise<result<presence_list>> answer;
  auto future = answer.get_future();
  query_many_async(users,
                   [&answer](result<presence_list> out) { answer.set_value(std::move(out)); });
  return future.get();
}

} // namespace presence
