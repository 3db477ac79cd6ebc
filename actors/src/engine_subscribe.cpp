// engine: subscriptions. A subscriber is registered with every broadcaster shard; its subjects
// are split among the shards by `broadcaster_shard`.

#include <algorithm>
#include <iterator>

#include "broadcaster.hpp"
#include "engine_impl.hpp"

namespace presence::actors {

template <class Sink>
result<uint64_t> engine_impl::subscribe_sink(const Sink& sink, const std::string& owner) {
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
  subscribers_[id] = subscriber{};
  return id;
}

result<uint64_t> engine_impl::subscribe(notification_callback callback,
                                        const std::string& owner) {
  if (!callback)
    return error{errc::invalid_argument, "subscribe: empty callback"};
  // Called by the broadcaster shards themselves (broadcaster.hpp): no actor per subscriber.
  return subscribe_sink(std::make_shared<callback_sink>(std::move(callback)), owner);
}

result<uint64_t> engine_impl::subscribe(const caf::actor& receiver, const std::string& owner) {
  if (!receiver)
    return error{errc::invalid_argument, "subscribe: invalid actor handle"};
  return subscribe_sink(receiver, owner);
}

status engine_impl::set_subscription(uint64_t id, const std::vector<std::string>& users) {
  auto current = settings();
  if (!current)
    return current.error();
  if (users.size() > current->max_subscription)
    return status{errc::invalid_argument,
                  "set_subscription: " + std::to_string(users.size()) + " ids, at most "
                    + std::to_string(current->max_subscription)};
  std::vector<std::string> wanted(users.begin(), users.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::string> added;
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument, "set_subscription: unknown subscriber "
                                              + std::to_string(id)};
    const auto& current = found->second.subjects;
    std::set_difference(wanted.begin(), wanted.end(), current.begin(), current.end(),
                        std::back_inserter(added));
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
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument, "unsubscribe: unknown subscriber "
                                              + std::to_string(id)};
    subscribers_.erase(found);
  }
  status out;
  for (const auto& shard : broadcasters_)
    if (auto done = tell(shard, unsubscribe_atom::value, id); !done && out)
      out = done;
  return out;
}

} // namespace presence::actors
