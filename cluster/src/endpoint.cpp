#include "endpoint.hpp"

#include <chrono>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "presence/actors/engine_caf.hpp"
#include "presence/actors/engine_cluster.hpp"

namespace presence::cluster {

namespace {

/// What another node watches of this node's users: local subscriptions of at most
/// `max_subscription` users each (the first also takes every `user_change`).
struct relay {
  caf::actor reply_to;
  std::vector<uint64_t> subs;
  std::vector<std::set<std::string>> chunks;
  std::unordered_map<std::string, std::size_t> chunk_of;
};

struct endpoint_state {
  static constexpr const char* name = "cluster_endpoint";

  endpoint_config config;
  std::map<uint64_t, caf::response_promise> pending;
  uint64_t next_promise = 1;
  /// Connections of this node's users that came through another node, by that node and the
  /// process (CAF node id) that sent the connect: a node restarted within its lease sends new
  /// connects before its old process is seen lost.
  std::map<std::string, std::map<caf::node_id, std::set<std::pair<std::string, std::string>>>> via;
  std::map<std::string, relay> relays;
  /// (node, user) -> the local subscription owned by `user` that relays its manual changes there,
  /// and the process it relays to.
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, caf::node_id>> owners;
  /// The workspace stream's replicable events (all but epoch_started): their sequences, in order.
  std::vector<events::sequence> ordinals;
  events::sequence scanned = 0;
  /// max_subscription, as last read (at most once a second: watches come once per subscriber).
  std::size_t relay_limit = 500;
  std::chrono::steady_clock::time_point limit_read{};
};

using endpoint_actor = caf::stateful_actor<endpoint_state>*;

struct to_message {
  caf::message operator()(std::monostate) const { return caf::message{}; }
  template <class T>
  caf::message operator()(T& value) const {
    return caf::make_message(std::move(value));
  }
};

/// Registers a promise; the engine's answer comes back as a `done_atom` message.
uint64_t enroll(endpoint_actor self) {
  auto id = self->state.next_promise++;
  self->state.pending.emplace(id, self->make_response_promise());
  return id;
}

/// Delivers the engine's answer (a caf::message, or a caf::error) to the promise `id`.
template <class Answer>
void settle(endpoint_actor self, uint64_t id, Answer answer) {
  auto i = self->state.pending.find(id);
  if (i == self->state.pending.end())
    return;
  auto rp = std::move(i->second);
  self->state.pending.erase(i);
  rp.deliver(std::move(answer));
}

template <class C>
void track(endpoint_actor self, const std::string& from, const C& cmd) {
  const auto& sender = self->current_sender();
  auto process = sender ? sender->node() : caf::node_id{};
  if constexpr (std::is_same_v<C, command::connect>)
    self->state.via[from][process].emplace(cmd.user, cmd.conn);
  else if constexpr (std::is_same_v<C, command::disconnect>)
    self->state.via[from][process].erase({cmd.user, cmd.conn});
}

template <class C>
auto serve_call(endpoint_actor self) {
  return [self](call_atom, const std::string& from, C& cmd) -> caf::response_promise {
    self->state.config.counters->requests_served.fetch_add(1, std::memory_order_relaxed);
    track(self, from, cmd);
    auto id = enroll(self);
    auto rp = self->state.pending.at(id);
    caf::actor me = caf::actor_cast<caf::actor>(self);
    self->state.config.local->submit(engine::request{std::move(cmd)},
                                     [me, id](result<engine::reply> out) {
                                       if (!out)
                                         return caf::anon_send(me, done_atom::value, id,
                                                               caf_error_of(out.error()));
                                       caf::anon_send(me, done_atom::value, id,
                                                      std::visit(to_message{}, out.value()));
                                     });
    return rp;
  };
}

/// Drops what `node` watched; with `process` set, only if it watched from that process.
void drop_relay(endpoint_actor self, const std::string& node,
                const caf::node_id& process = caf::node_id{}) {
  auto i = self->state.relays.find(node);
  if (i == self->state.relays.end())
    return;
  if (process && i->second.reply_to.node() != process)
    return;
  for (auto sub : i->second.subs)
    (void)self->state.config.local->unsubscribe(sub);
  self->state.relays.erase(i);
}

/// A local subscription whose notifications go to `reply_to`; `first` also relays user_change.
result<uint64_t> relay_subscription(endpoint_actor self, const caf::actor& reply_to, bool first) {
  auto id = self->state.config.node_id;
  auto counters = self->state.config.counters;
  return self->state.config.local->subscribe(
    [reply_to, id, first, counters](const notification& note) {
      // The service switch reaches every node through the workspace stream, not relays.
      if (note.type == notification::kind::presence_service_status)
        return;
      if (note.type == notification::kind::user_change && !first)
        return;
      counters->relays_sent.fetch_add(1, std::memory_order_relaxed);
      caf::anon_send(reply_to, relay_atom::value, id, note);
    },
    {});
}

void watch(endpoint_actor self, const std::string& from, const caf::actor& reply_to, bool reset,
           const std::vector<std::string>& add, const std::vector<std::string>& remove) {
  auto& st = self->state;
  auto existing = st.relays.find(from);
  if (reset || existing == st.relays.end() || existing->second.reply_to != reply_to) {
    drop_relay(self, from);
    existing = st.relays.emplace(from, relay{reply_to, {}, {}, {}}).first;
  }
  auto& r = existing->second;
  auto now = std::chrono::steady_clock::now();
  if (now - st.limit_read >= std::chrono::seconds{1}) {
    st.limit_read = now;
    if (auto settings = st.config.local->settings(); settings.ok() && settings->max_subscription > 0)
      st.relay_limit = static_cast<std::size_t>(settings->max_subscription);
  }
  const auto limit = st.relay_limit;
  std::set<std::size_t> touched;
  for (const auto& user : remove) {
    auto at = r.chunk_of.find(user);
    if (at == r.chunk_of.end())
      continue;
    r.chunks[at->second].erase(user);
    touched.insert(at->second);
    r.chunk_of.erase(at);
  }
  auto open_chunk = [&]() -> std::size_t {
    for (std::size_t i = 0; i < r.chunks.size(); ++i)
      if (r.chunks[i].size() < limit)
        return i;
    auto sub = relay_subscription(self, reply_to, r.subs.empty());
    if (!sub)
      return r.chunks.size();
    r.subs.push_back(*sub);
    r.chunks.emplace_back();
    return r.chunks.size() - 1;
  };
  if (r.subs.empty())
    (void)open_chunk(); // every watcher takes user_change, whatever it watches
  for (const auto& user : add) {
    if (r.chunk_of.count(user) != 0)
      continue;
    auto chunk = open_chunk();
    if (chunk == r.chunks.size())
      break;
    r.chunks[chunk].insert(user);
    r.chunk_of.emplace(user, chunk);
    touched.insert(chunk);
  }
  for (auto chunk : touched)
    (void)st.config.local->set_subscription(
      r.subs[chunk], std::vector<std::string>(r.chunks[chunk].begin(), r.chunks[chunk].end()));
}

void watch_owner(endpoint_actor self, const std::string& from, const caf::actor& reply_to,
                 const std::string& user, bool watch) {
  auto& st = self->state;
  auto key = std::pair{from, user};
  auto existing = st.owners.find(key);
  if (!watch) {
    if (existing != st.owners.end()) {
      (void)st.config.local->unsubscribe(existing->second.first);
      st.owners.erase(existing);
    }
    return;
  }
  if (existing != st.owners.end()) {
    if (existing->second.second == reply_to.node())
      return;
    (void)st.config.local->unsubscribe(existing->second.first); // a restarted node's
    st.owners.erase(existing);
  }
  auto id = st.config.node_id;
  auto counters = st.config.counters;
  auto sub = st.config.local->subscribe(
    [reply_to, id, counters](const notification& note) {
      if (note.type != notification::kind::manual_presence_change)
        return;
      counters->relays_sent.fetch_add(1, std::memory_order_relaxed);
      caf::anon_send(reply_to, relay_atom::value, id, note);
    },
    user);
  if (sub)
    st.owners.emplace(key, std::pair{*sub, reply_to.node()});
}

/// Closes the connections that came through `node` (`node_lost`) and drops what it watched: those
/// of its process `process` only when that is known (the node may already run again, and its new
/// process's connections stay), else all of them.
void lose(endpoint_actor self, const std::string& node, const caf::node_id& process) {
  auto& st = self->state;
  drop_relay(self, node, process);
  for (auto i = st.owners.begin(); i != st.owners.end();) {
    if (i->first.first != node || (process && i->second.second != process)) {
      ++i;
      continue;
    }
    (void)st.config.local->unsubscribe(i->second.first);
    i = st.owners.erase(i);
  }
  auto from = st.via.find(node);
  if (from == st.via.end())
    return;
  for (auto i = from->second.begin(); i != from->second.end();) {
    if (process && i->first != process) {
      ++i;
      continue;
    }
    for (const auto& [user, conn] : i->second)
      st.config.local->submit(
        engine::request{command::disconnect{
          user, conn, events::disconnect_reason::node_lost,
          origin{std::string{events::system_actor}, "node_lost"}}},
        [](result<engine::reply>) {});
    i = from->second.erase(i);
  }
}

std::vector<events::event> since(endpoint_actor self, uint64_t ordinal) {
  auto& st = self->state;
  auto& local = *st.config.local;
  if (ordinal >= st.ordinals.size()) {
    for (;;) {
      auto page = workspace_events(local, st.scanned + 1, 4096);
      if (!page || page->empty())
        break;
      for (const auto& ev : *page) {
        st.scanned = ev.seq;
        if (!std::holds_alternative<events::epoch_started>(ev.body))
          st.ordinals.push_back(ev.seq);
      }
    }
  }
  std::vector<events::event> out;
  if (ordinal >= st.ordinals.size())
    return out;
  auto page = workspace_events(local, st.ordinals[ordinal], replication_batch + 64);
  if (!page)
    return out;
  for (auto& ev : *page) {
    if (out.size() == replication_batch || ev.seq > st.scanned)
      break;
    if (!std::holds_alternative<events::epoch_started>(ev.body))
      out.push_back(std::move(ev));
  }
  return out;
}

template <class... Cs>
caf::behavior endpoint_behavior(endpoint_actor self, std::variant<Cs...>*) {
  return {
    serve_call<Cs>(self)...,
    [self](done_atom, uint64_t id, caf::message& reply) { settle(self, id, std::move(reply)); },
    [self](done_atom, uint64_t id, caf::error& err) { settle(self, id, std::move(err)); },
    [self](many_atom, std::vector<std::string>& users) -> caf::response_promise {
      self->state.config.counters->requests_served.fetch_add(1, std::memory_order_relaxed);
      auto id = enroll(self);
      auto rp = self->state.pending.at(id);
      caf::actor me = caf::actor_cast<caf::actor>(self);
      self->state.config.local->query_many_async(
        users, [me, id](result<engine::presence_list> out) {
          if (!out)
            return caf::anon_send(me, done_atom::value, id, caf_error_of(out.error()));
          caf::anon_send(me, done_atom::value, id, caf::make_message(std::move(out.value())));
        });
      return rp;
    },
    [self](since_atom, uint64_t ordinal) { return since(self, ordinal); },
    [self](watch_atom, const std::string& from, const caf::actor& reply_to, bool reset,
           const std::vector<std::string>& add, const std::vector<std::string>& remove) {
      watch(self, from, reply_to, reset, add, remove);
    },
    [self](owner_atom, const std::string& from, const caf::actor& reply_to,
           const std::string& user, bool watch) { watch_owner(self, from, reply_to, user, watch); },
    [self](relay_atom, const std::string& from, const notification& note) {
      self->state.config.counters->relays_received.fetch_add(1, std::memory_order_relaxed);
      if (self->state.config.on_relay)
        self->state.config.on_relay(from, note);
    },
    [self](lost_atom, const std::string& node, const caf::node_id& process) {
      lose(self, node, process);
    },
  };
}

caf::behavior endpoint(endpoint_actor self, endpoint_config config) {
  self->state.config = std::move(config);
  return endpoint_behavior(self, static_cast<command::any*>(nullptr));
}

struct router_state {
  static constexpr const char* name = "cluster_router";
  std::map<caf::actor_addr, std::string> peers;
};

caf::behavior router(caf::stateful_actor<router_state>* self,
                     std::function<void(const std::string&, const caf::actor_addr&)> unreachable) {
  self->set_down_handler([self, unreachable](caf::down_msg& down) {
    auto i = self->state.peers.find(down.source);
    if (i == self->state.peers.end())
      return;
    auto node = i->second;
    self->state.peers.erase(i);
    unreachable(node, down.source);
  });
  return {
    [self](route_atom, const outgoing_ptr& step) { step->run(self); },
    [self](peer_atom, const std::string& node, const caf::actor& endpoint) {
      self->state.peers[endpoint.address()] = node;
      self->monitor(endpoint);
    },
  };
}

} // namespace

caf::actor spawn_endpoint(caf::actor_system& system, endpoint_config config) {
  return system.spawn<caf::detached>(endpoint, std::move(config));
}

caf::actor spawn_router(caf::actor_system& system,
                        std::function<void(const std::string&, const caf::actor_addr&)> unreachable) {
  return system.spawn(router, std::move(unreachable));
}

} // namespace presence::cluster
