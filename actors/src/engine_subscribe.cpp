// engine: subscriptions. A subscriber is registered with every broadcaster shard; its subjects
// are split among the shards by `broadcaster_shard`.

#include "broadcaster.hpp"
#include "engine_impl.hpp"

namespace presence::actors {

namespace {

/// A sink that hands each notification to a host callback.
caf::behavior callback_sink(caf::event_based_actor*, notification_callback callback) {
  return {
    [callback](const notification& note) { callback(note); },
  };
}

} // namespace

result<uint64_t> engine_impl::subscribe(notification_callback callback,
                                        const std::string& owner) {
  if (!callback)
    return error{errc::invalid_argument, "subscribe: empty callback"};
  auto sink = system_.spawn(callback_sink, std::move(callback));
  auto id = subscribe_sink(sink, true, owner);
  if (!id)
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return id;
}

result<uint64_t> engine_impl::subscribe(const caf::actor& receiver, const std::string& owner) {
  if (!receiver)
    return error{errc::invalid_argument, "subscribe: invalid actor handle"};
  return subscribe_sink(receiver, false, owner);
}

result<uint64_t> engine_impl::subscribe_sink(const caf::actor& sink, bool own_sink,
                                             const std::string& owner) {
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    id = next_subscriber_++;
  }
  for (const auto& shard : broadcasters_) {
    if (auto done = tell(shard, subscribe_atom::value, id, sink, owner); !done) {
      for (const auto& registered : broadcasters_)
        caf::anon_send(registered, unsubscribe_atom::value, id);
      return done.error();
    }
  }
  std::lock_guard<std::mutex> guard{subscribers_mutex_};
  subscribers_[id] = subscriber{sink, own_sink, {}};
  return id;
}

status engine_impl::set_subscription(uint64_t id, const std::vector<std::string>& users) {
  auto current = settings();
  if (!current)
    return current.error();
  if (users.size() > current->max_subscription)
    return status{errc::invalid_argument,
                  "set_subscription: " + std::to_string(users.size()) + " ids, at most "
                    + std::to_string(current->max_subscription)};
  std::set<std::string> wanted(users.begin(), users.end());
  std::vector<std::string> added;
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument, "set_subscription: unknown subscriber "
                                              + std::to_string(id)};
    for (const auto& user : wanted)
      if (found->second.subjects.count(user) == 0)
        added.push_back(user);
  }
  auto initial = query_many(added);
  if (!initial)
    return initial.error();
  auto shards = broadcasters_.size();
  std::vector<std::vector<std::string>> subjects(shards);
  std::vector<std::vector<std::pair<std::string, events::presence_value>>> firsts(shards);
  for (const auto& user : wanted)
    subjects[broadcaster_shard(user, shards)].push_back(user);
  for (auto& entry : *initial)
    firsts[broadcaster_shard(entry.first, shards)].push_back(std::move(entry));
  for (std::size_t i = 0; i < shards; ++i)
    if (auto done = tell(broadcasters_[i], subscribe_atom::value, id, std::move(subjects[i]),
                         std::move(firsts[i]));
        !done)
      return done;
  std::lock_guard<std::mutex> guard{subscribers_mutex_};
  if (auto found = subscribers_.find(id); found != subscribers_.end())
    found->second.subjects = std::move(wanted);
  return status::success();
}

status engine_impl::unsubscribe(uint64_t id) {
  subscriber removed;
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument, "unsubscribe: unknown subscriber "
                                              + std::to_string(id)};
    removed = std::move(found->second);
    subscribers_.erase(found);
  }
  status out;
  for (const auto& shard : broadcasters_)
    if (auto done = tell(shard, unsubscribe_atom::value, id); !done && out)
      out = done;
  if (removed.own_sink)
    caf::anon_send_exit(removed.sink, caf::exit_reason::user_shutdown);
  return out;
}

} // namespace presence::actors
