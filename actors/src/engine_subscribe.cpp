// engine: subscriptions. A subscriber is registered with broadcaster shard 0 (service status) and
// its owner's shard (manual_presence_change) at once; its subjects are split among the shards by
// `user_shard`, and a shard learns the subscriber with its first subjects there.

#include <algorithm>
#include <type_traits>

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
  const std::size_t owners_shard =
    owner.empty() ? 0 : user_shard(owner, broadcasters_.size());
  for (std::size_t i = 0; i < broadcasters_.size(); ++i) {
    if (i != 0 && i != owners_shard)
      continue; // learns the subscriber with its first subjects there (set_subscription)
    auto done = tell(broadcasters_[i], subscribe_atom::value, id, sink,
                     i == owners_shard ? owner : std::string{});
    if (!done) {
      for (const auto& registered : broadcasters_)
        caf::anon_send(registered, unsubscribe_atom::value, id);
      return done.error();
    }
  }
  subscriber entry;
  if constexpr (std::is_same_v<Sink, caf::actor>)
    entry.actor = sink;
  else
    entry.callback = sink;
  std::lock_guard<std::mutex> guard{subscribers_mutex_};
  subscribers_[id] = std::move(entry);
  return id;
}

result<uint64_t> engine_impl::subscribe(notification_callback callback, const std::string& owner) {
  if (!callback)
    return error{errc::invalid_argument, "subscribe: empty callback"};
  // Called by the broadcaster shards themselves (broadcaster.hpp): no actor per subscriber.
  return subscribe_sink(std::make_shared<callback_sink>(std::move(callback)), owner);
}

result<uint64_t> engine_impl::subscribe_actor(const caf::actor& receiver,
                                              const std::string& owner) {
  if (!receiver)
    return error{errc::invalid_argument, "subscribe: invalid actor handle"};
  return subscribe_sink(receiver, owner);
}

status engine_impl::set_subscription(uint64_t id, const std::vector<std::string>& users) {
  auto current = settings();
  if (!current)
    return current.error();
  if (users.size() > current->max_subscription)
    return status{errc::invalid_argument, "set_subscription: " + std::to_string(users.size()) +
                                            " ids, at most " +
                                            std::to_string(current->max_subscription)};
  std::vector<std::string> wanted(users.begin(), users.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  caf::actor actor;
  callback_sink_ptr callback;
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument,
                    "set_subscription: unknown subscriber " + std::to_string(id)};
    actor = found->second.actor;
    callback = found->second.callback;
  }
  // Each shard reads the initial presence of the subjects it gains from their user actors itself
  // (broadcaster.hpp): a read here could miss a change that reaches the shard before the subject.
  auto shards = broadcasters_.size();
  std::vector<std::vector<std::string>> subjects(shards);
  for (auto& user : wanted)
    subjects[user_shard(user, shards)].push_back(std::move(user));
  // With the sink: a shard that does not know the subscriber yet registers it (broadcaster.hpp).
  for (std::size_t i = 0; i < shards; ++i) {
    auto done =
      callback ? tell(broadcasters_[i], subscribe_atom::value, id, callback, std::move(subjects[i]))
               : tell(broadcasters_[i], subscribe_atom::value, id, actor, std::move(subjects[i]));
    if (!done)
      return done;
  }
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    if (subscribers_.count(id) != 0)
      return status::success();
  }
  // Unsubscribed while the shards were being told: a shard may have learnt the subscriber after
  // the unsubscribe reached it. Tell them all again, so no shard keeps calling its sink.
  for (const auto& shard : broadcasters_)
    caf::anon_send(shard, unsubscribe_atom::value, id);
  return status::success();
}

status engine_impl::unsubscribe(uint64_t id) {
  {
    std::lock_guard<std::mutex> guard{subscribers_mutex_};
    auto found = subscribers_.find(id);
    if (found == subscribers_.end())
      return status{errc::invalid_argument,
                    "unsubscribe: unknown subscriber " + std::to_string(id)};
    subscribers_.erase(found);
  }
  status out;
  for (const auto& shard : broadcasters_)
    if (auto done = tell(shard, unsubscribe_atom::value, id); !done && out)
      out = done;
  return out;
}

} // namespace presence::actors
