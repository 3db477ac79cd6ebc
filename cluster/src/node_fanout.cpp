// Subscriptions across nodes (docs/cluster.md, Fan-out): a node watches a remote user once for all
// its subscribers, keeps the user's last relayed presence, and fans each relayed notification out
// to its own subscribers.

#include <caf/send.hpp>

#include "messages.hpp"
#include "node_impl.hpp"

namespace presence::cluster {

void node_impl::call(const subscription_ptr& sub, const notification& note) {
  std::lock_guard lock{sub->calls};
  if (sub->callback)
    sub->callback(note);
}

result<uint64_t> node_impl::subscribe(notification_callback callback, const std::string& owner) {
  auto sub = std::make_shared<subscription>();
  sub->callback = std::move(callback);
  sub->owner = owner;
  auto local = local_->subscribe([sub](const notification& note) { call(sub, note); }, owner);
  if (!local)
    return local.error();
  sub->local_id = *local;
  auto home = owner.empty() ? std::string{} : owner_of(owner);
  bool first = false;
  uint64_t id = 0;
  {
    std::lock_guard lock{fanout_mutex_};
    id = next_subscription_++;
    subscriptions_.emplace(id, std::move(sub));
    if (!home.empty() && home != config_.node_id)
      first = owners_here_[owner]++ == 0;
  }
  // A remote user's own connections here hear of its manual changes through its node.
  if (first)
    send_owner_watch(home, owner, true);
  return id;
}

void node_impl::unwatch(const std::string& user, uint64_t subscriber,
                        std::map<std::string, std::vector<std::string>>& remove) {
  auto w = watchers_.find(user);
  if (w == watchers_.end())
    return;
  w->second.erase(subscriber);
  if (!w->second.empty())
    return;
  watchers_.erase(w);
  cached_.erase(user);
  remove[owner_of(user)].push_back(user);
}

status node_impl::set_subscription(uint64_t subscriber, const std::vector<std::string>& users) {
  subscription_ptr sub;
  {
    std::lock_guard lock{fanout_mutex_};
    auto i = subscriptions_.find(subscriber);
    if (i == subscriptions_.end())
      return status{errc::invalid_argument, "no subscription " + std::to_string(subscriber)};
    sub = i->second;
  }
  auto settings = local_->settings();
  if (settings && settings->max_subscription > 0 && users.size() > settings->max_subscription)
    return status{errc::invalid_argument,
                  std::to_string(users.size()) + " ids: at most " +
                    std::to_string(settings->max_subscription) + " per subscription"};
  std::vector<std::string> here;
  std::set<std::string> remote;
  for (const auto& user : users) {
    auto owner = owner_of(user);
    if (owner.empty() || owner == config_.node_id)
      here.push_back(user);
    else
      remote.insert(user);
  }
  if (auto st = local_->set_subscription(sub->local_id, here); !st)
    return st;

  std::map<std::string, std::vector<std::string>> add, remove, ask;
  std::map<events::presence_value, std::vector<std::string>> initial;
  {
    std::lock_guard lock{fanout_mutex_};
    for (const auto& user : sub->remote)
      if (remote.count(user) == 0)
        unwatch(user, subscriber, remove);
    for (const auto& user : remote) {
      if (sub->remote.count(user) != 0)
        continue;
      auto& w = watchers_[user];
      if (w.empty())
        add[owner_of(user)].push_back(user);
      w.insert(subscriber);
      if (auto c = cached_.find(user); c != cached_.end())
        initial[c->second].push_back(user);
      else
        ask[owner_of(user)].push_back(user);
    }
    sub->remote = std::move(remote);
  }
  // Newly watched users' presence is delivered before this returns, as on one node.
  for (const auto& [node, wanted] : ask) {
    auto answer = ask_presences(node, wanted);
    std::lock_guard lock{fanout_mutex_};
    for (const auto& [user, value] : answer) {
      if (watchers_.count(user) != 0)
        cached_.emplace(user, value);
      initial[value].push_back(user);
    }
  }
  for (auto& [value, subjects] : initial) {
    notification note;
    note.type = notification::kind::presence_change;
    note.presence = value;
    note.users = std::move(subjects);
    call(sub, note);
  }
  std::set<std::string> nodes;
  for (const auto& entry : add)
    nodes.insert(entry.first);
  for (const auto& entry : remove)
    nodes.insert(entry.first);
  for (const auto& node : nodes)
    send_watch(node, false, std::move(add[node]), std::move(remove[node]));
  return status::success();
}

status node_impl::unsubscribe(uint64_t subscriber) {
  subscription_ptr sub;
  std::map<std::string, std::vector<std::string>> remove;
  {
    std::lock_guard lock{fanout_mutex_};
    auto i = subscriptions_.find(subscriber);
    if (i == subscriptions_.end())
      return status{errc::invalid_argument, "no subscription " + std::to_string(subscriber)};
    sub = std::move(i->second);
    subscriptions_.erase(i);
    for (const auto& user : sub->remote)
      unwatch(user, subscriber, remove);
  }
  auto st = local_->unsubscribe(sub->local_id);
  {
    std::lock_guard lock{sub->calls};
    sub->callback = nullptr;
  }
  for (auto& [node, users] : remove)
    send_watch(node, false, {}, std::move(users));
  if (!sub->owner.empty()) {
    bool last = false;
    {
      std::lock_guard lock{fanout_mutex_};
      auto i = owners_here_.find(sub->owner);
      if (i != owners_here_.end() && --i->second == 0) {
        owners_here_.erase(i);
        last = true;
      }
    }
    if (last)
      send_owner_watch(owner_of(sub->owner), sub->owner, false);
  }
  return st;
}

void node_impl::send_watch(const std::string& node, bool reset, std::vector<std::string> add,
                           std::vector<std::string> remove) {
  auto dest = endpoint_of(node);
  if (!dest)
    return; // watched again in full when it comes back (rewatch)
  caf::anon_send(dest, watch_atom::value, config_.node_id, endpoint_, reset, std::move(add),
                 std::move(remove));
}

void node_impl::send_owner_watch(const std::string& node, const std::string& user, bool watch) {
  if (auto dest = endpoint_of(node))
    caf::anon_send(dest, owner_atom::value, config_.node_id, endpoint_, user, watch);
}

void node_impl::rewatch(const std::string& node) {
  std::vector<std::string> users;
  std::vector<std::string> owners;
  {
    std::lock_guard lock{fanout_mutex_};
    for (const auto& entry : watchers_)
      if (owner_of(entry.first) == node)
        users.push_back(entry.first);
    for (const auto& entry : owners_here_)
      if (owner_of(entry.first) == node)
        owners.push_back(entry.first);
  }
  send_watch(node, true, std::move(users), {});
  for (const auto& user : owners)
    send_owner_watch(node, user, true);
}

void node_impl::forget(const std::string& node) {
  std::vector<std::pair<subscription_ptr, std::string>> told;
  {
    std::lock_guard lock{fanout_mutex_};
    for (auto i = cached_.begin(); i != cached_.end();)
      i = owner_of(i->first) == node ? cached_.erase(i) : std::next(i);
    for (const auto& [id, sub] : subscriptions_)
      if (!sub->owner.empty() && (node == config_.node_id || owner_of(sub->owner) == node))
        told.emplace_back(sub, sub->owner);
  }
  for (const auto& [sub, user] : told) {
    notification note;
    note.type = notification::kind::reconnect;
    note.users = {user};
    note.reason = "node_lost";
    call(sub, note);
  }
}

void node_impl::announce_revocation(const std::string& user) {
  std::vector<subscription_ptr> told;
  {
    std::lock_guard lock{fanout_mutex_};
    for (const auto& [id, sub] : subscriptions_)
      if (sub->owner.empty())
        told.push_back(sub);
  }
  notification note;
  note.type = notification::kind::credentials_changed;
  if (!user.empty())
    note.users = {user};
  for (const auto& sub : told)
    call(sub, note);
}

void node_impl::on_relay(const std::string& from_node, const notification& note) {
  (void)from_node;
  std::vector<std::pair<subscription_ptr, notification>> out;
  {
    std::lock_guard lock{fanout_mutex_};
    switch (note.type) {
      case notification::kind::presence_change: {
        std::map<uint64_t, std::vector<std::string>> per_sub;
        for (const auto& user : note.users) {
          auto w = watchers_.find(user);
          if (w == watchers_.end())
            continue;
          auto [c, fresh] = cached_.emplace(user, note.presence);
          if (!fresh && c->second == note.presence)
            continue; // already delivered (asked at subscription)
          c->second = note.presence;
          for (auto id : w->second)
            per_sub[id].push_back(user);
        }
        for (auto& [id, users] : per_sub) {
          auto s = subscriptions_.find(id);
          if (s == subscriptions_.end())
            continue;
          notification part = note;
          part.users = std::move(users);
          out.emplace_back(s->second, std::move(part));
        }
        break;
      }
      case notification::kind::user_status_changed: {
        if (note.users.empty())
          break;
        auto w = watchers_.find(note.users.front());
        if (w == watchers_.end())
          break;
        for (auto id : w->second)
          if (auto s = subscriptions_.find(id); s != subscriptions_.end())
            out.emplace_back(s->second, note);
        break;
      }
      case notification::kind::user_change:
        for (const auto& [id, sub] : subscriptions_)
          out.emplace_back(sub, note);
        break;
      case notification::kind::manual_presence_change:
        if (note.users.empty())
          break;
        for (const auto& [id, sub] : subscriptions_)
          if (sub->owner == note.users.front())
            out.emplace_back(sub, note);
        break;
      default:
        break; // the service state arrives through the workspace stream; the rest is local
    }
  }
  for (const auto& [sub, part] : out)
    call(sub, part);
}

} // namespace presence::cluster
