// The cluster node's engine facade: where each request runs (docs/cluster.md, Where each
// request runs), and the node's start and stop.

#include "node_impl.hpp"

#include <algorithm>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "endpoint.hpp"
#include "messages.hpp"
#include "presence/actors/engine_caf.hpp"
#include "presence/events/validation.hpp"

namespace presence::cluster {

namespace {

/// A command that names the user it acts on, run where that user's actor lives.
template <class C>
inline constexpr bool about_user =
  command::served_by_user_actor<C> || std::is_same_v<C, command::apply_preset>;

/// A read that every node answers from its copy of the workspace.
template <class C>
inline constexpr bool workspace_read =
  std::is_same_v<C, command::user_info> || std::is_same_v<C, command::authenticate> ||
  std::is_same_v<C, command::check_token>;

/// An error from another node, or from the way there: CAF's own errors (the node went away, no
/// answer in time) mean the user's node is unavailable.
error remote_error(const std::string& node, const caf::error& err) {
  auto out = error_of(err);
  if (err.category() != caf::atom("presence") || out.code == errc::shutting_down)
    return error{errc::unavailable, "node " + node + " did not answer: " + describe(out)};
  return out;
}

/// How long a node's own threads wait for another node (a stopping node's threads wait this long
/// at most before they notice).
constexpr auto peer_ask_timeout = std::chrono::seconds{2};
/// How long a command forwarded to another node may take (as the engine's own request_timeout).
constexpr auto forward_timeout = std::chrono::seconds{10};

std::string random_incarnation() {
  std::random_device device;
  std::mt19937_64 bits{(static_cast<uint64_t>(device()) << 32) ^ device()};
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i)
    out += digits[bits() % 16];
  return out;
}

} // namespace

node_impl::node_impl(node_config config, std::unique_ptr<caf::actor_system_config> system_config,
                     std::unique_ptr<caf::actor_system> system)
  : config_(std::move(config)), system_config_(std::move(system_config)),
    system_(std::move(system)), incarnation_(random_incarnation()) {}

node_impl::~node_impl() {
  (void)shutdown();
}

status node_impl::start(engine_config engine) {
  owns_workspace_ = !config_.nodes.empty() && config_.nodes.front() == config_.node_id;
  engine.workspace_replica = !owns_workspace_;
  auto opened = open_engine(*system_, std::move(engine));
  if (!opened)
    return opened.error();
  local_ = std::move(opened.value());
  endpoint_ = spawn_endpoint(
    *system_, endpoint_config{local_.get(), config_.node_id,
                              [this](const std::string& from, const notification& note) {
                                on_relay(from, note);
                              },
                              traffic_});
  router_ = spawn_router(*system_, [this](const std::string& node, const caf::actor_addr& gone) {
    unreachable(node, gone);
  });
  auto port = system_->middleman().publish(endpoint_, config_.listen_port,
                                           config_.listen_host.c_str(), true);
  if (!port)
    return error{errc::invalid_setting, "cluster_listen " + config_.listen_host + ":" +
                                          std::to_string(config_.listen_port) + ": " +
                                          system_->render(port.error())};
  port_ = *port;
  return status::success();
}

std::string node_impl::owner_of(const std::string& user) const {
  std::lock_guard lock{mutex_};
  return map_ ? map_->owner_of(user) : std::string{};
}

caf::actor node_impl::endpoint_of(const std::string& node) const {
  std::lock_guard lock{mutex_};
  auto i = peers_.find(node);
  return i != peers_.end() && i->second.alive ? i->second.endpoint : caf::actor{};
}

void node_impl::unreachable(const std::string& node, const caf::actor_addr& gone) {
  std::lock_guard lock{mutex_};
  auto i = peers_.find(node);
  if (i == peers_.end() || i->second.endpoint.address() != gone)
    return;
  // The connection broke: requests fail at once until etcd says whether the node is lost (its
  // lease) or it comes back (a new link at the next poll).
  i->second.endpoint = caf::actor{};
}

void node_impl::forward(const std::string& node, request req,
                        std::function<void(result<reply>)> done) {
  auto dest = endpoint_of(node);
  if (!dest)
    return done(error{errc::unavailable, "node " + node + " is not available"});
  traffic_->requests_sent.fetch_add(1, std::memory_order_relaxed);
  // Answered exactly once: by the router's handlers, or by shutdown when the router is gone.
  uint64_t id = 0;
  {
    std::lock_guard lock{mutex_};
    id = next_request_++;
    in_flight_.emplace(id, std::move(done));
  }
  auto finish = [this, id](result<reply> out) {
    std::function<void(result<reply>)> done;
    {
      std::lock_guard lock{mutex_};
      auto i = in_flight_.find(id);
      if (i == in_flight_.end())
        return;
      done = std::move(i->second);
      in_flight_.erase(i);
    }
    done(std::move(out));
  };
  auto step = std::make_shared<outgoing>();
  step->run = [dest, node, self_id = config_.node_id, req = std::move(req),
               finish](caf::event_based_actor* router) mutable {
    std::visit(
      [&](auto& cmd) {
        using C = std::decay_t<decltype(cmd)>;
        auto sent =
          router->request(dest, forward_timeout, call_atom::value, self_id, std::move(cmd));
        auto failed = [finish, node](caf::error& err) { finish(remote_error(node, err)); };
        if constexpr (std::is_void_v<typename C::reply>)
          sent.then([finish]() { finish(reply{std::monostate{}}); }, failed);
        else
          sent.then([finish](typename C::reply& out) { finish(reply{std::move(out)}); }, failed);
      },
      req);
  };
  caf::anon_send(router_, route_atom::value, std::move(step));
}

void node_impl::route(const std::string& user, request req,
                      std::function<void(result<reply>)> done) {
  auto owner = owner_of(user);
  if (owner.empty())
    return done(error{errc::unavailable, "this node has not joined its cluster yet"});
  if (owner == config_.node_id)
    return local_->submit(std::move(req), std::move(done));
  forward(owner, std::move(req), std::move(done));
}

void node_impl::submit(request req, std::function<void(result<reply>)> done) {
  std::visit(
    [&](auto& cmd) {
      using C = std::decay_t<decltype(cmd)>;
      if constexpr (about_user<C>) {
        auto user = cmd.user;
        route(user, std::move(req), std::move(done));
      } else if constexpr (workspace_read<C>) {
        local_->submit(std::move(req), std::move(done));
      } else {
        // A workspace write: the workspace owner records it.
        std::string owner;
        {
          std::lock_guard lock{mutex_};
          owner = map_ ? map_->workspace_owner : std::string{};
        }
        if (owner.empty())
          return done(error{errc::unavailable, "this node has not joined its cluster yet"});
        if (owner == config_.node_id)
          return local_->submit(std::move(req), std::move(done));
        // Answered once this node's copy has it: a token issued through a node works there at
        // once (other nodes follow within a poll).
        auto then = [this, done = std::move(done)](result<reply> out) mutable {
          if (!out)
            return done(std::move(out));
          {
            std::lock_guard lock{mutex_};
            after_catch_up_.push_back(
              [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
            replicate_now_ = true;
          }
          changed_.notify_all();
        };
        forward(owner, std::move(req), std::move(then));
      }
    },
    req);
}

void node_impl::query_many_async(const std::vector<std::string>& users,
                                 std::function<void(result<presence_list>)> done) {
  std::map<std::string, std::vector<std::string>> by_node;
  for (const auto& user : users) {
    auto owner = owner_of(user);
    if (!owner.empty())
      by_node[owner].push_back(user);
  }
  if (by_node.empty())
    return done(presence_list{});
  // Each node's answer joins the others'; a node that is down contributes nothing.
  struct gathering {
    std::mutex mutex;
    std::size_t waiting = 0;
    presence_list out;
    std::function<void(result<presence_list>)> done;
  };
  auto all = std::make_shared<gathering>();
  all->waiting = by_node.size();
  all->done = std::move(done);
  auto add = [all](result<presence_list> part) {
    std::unique_lock lock{all->mutex};
    if (part)
      for (auto& entry : *part)
        all->out.push_back(std::move(entry));
    if (--all->waiting > 0)
      return;
    auto out = std::move(all->out);
    lock.unlock();
    all->done(std::move(out));
  };
  for (auto& [node, part] : by_node) {
    if (node == config_.node_id) {
      local_->query_many_async(part, add);
      continue;
    }
    auto dest = endpoint_of(node);
    if (!dest) {
      add(presence_list{});
      continue;
    }
    traffic_->requests_sent.fetch_add(1, std::memory_order_relaxed);
    auto step = std::make_shared<outgoing>();
    step->run = [dest, part = std::move(part), add](caf::event_based_actor* router) {
      router->request(dest, forward_timeout, many_atom::value, part)
        .then([add](presence_list& out) { add(std::move(out)); },
              [add](caf::error&) { add(presence_list{}); });
    };
    caf::anon_send(router_, route_atom::value, std::move(step));
  }
}

result<storage::history_slice> node_impl::history(const std::string& user, events::instant since,
                                                  events::instant until) {
  auto owner = owner_of(user);
  if (owner != config_.node_id)
    return error{errc::unavailable, "the history of " + user + " is kept by node " + owner +
                                      ": ask that node"};
  return local_->history(user, since, until);
}

engine_stats node_impl::stats() const {
  auto out = local_->stats();
  out.cluster_requests_sent = traffic_->requests_sent.load(std::memory_order_relaxed);
  out.cluster_requests_served = traffic_->requests_served.load(std::memory_order_relaxed);
  out.cluster_relays_sent = traffic_->relays_sent.load(std::memory_order_relaxed);
  out.cluster_relays_received = traffic_->relays_received.load(std::memory_order_relaxed);
  return out;
}

result<engine::cluster_view> node_impl::cluster() const {
  std::lock_guard lock{mutex_};
  if (!map_)
    return error{errc::unavailable, "this node has not joined its cluster yet"};
  cluster_view view;
  view.partitions = map_->partitions;
  view.workspace_owner = map_->workspace_owner;
  std::set<std::string> ids(map_->owners.begin(), map_->owners.end());
  for (const auto& [id, p] : peers_)
    ids.insert(id);
  ids.insert(config_.node_id);
  for (const auto& id : ids) {
    cluster_member member;
    member.id = id;
    member.partitions = map_->partitions_of(id);
    if (id == config_.node_id) {
      member.url = url_;
      member.cluster_address = config_.listen_host + ":" + std::to_string(port_);
      member.alive = true;
      member.connections = published_connections_ == UINT64_MAX ? 0 : published_connections_;
    } else if (auto i = peers_.find(id); i != peers_.end()) {
      member.url = i->second.record.url;
      member.cluster_address = i->second.record.cluster_address;
      member.alive = i->second.alive;
      member.connections = i->second.alive ? i->second.record.connections : 0;
    }
    view.nodes.push_back(std::move(member));
  }
  return view;
}

result<engine::user_location> node_impl::locate(const std::string& user) const {
  if (auto st = events::validate_user_id(user); !st)
    return st.error();
  std::lock_guard lock{mutex_};
  if (!map_)
    return error{errc::unavailable, "this node has not joined its cluster yet"};
  auto partition = partition_of(user, map_->partitions);
  return user_location{user, partition, map_->owners[partition]};
}

result<std::vector<events::event>> node_impl::ask_since(const caf::actor& dest, uint64_t ordinal) {
  caf::scoped_actor self{*system_};
  result<std::vector<events::event>> out = error{errc::unavailable, "no answer"};
  self->request(dest, peer_ask_timeout, since_atom::value, ordinal)
    .receive([&](std::vector<events::event>& batch) { out = std::move(batch); },
             [&](caf::error& err) { out = remote_error("workspace owner", err); });
  return out;
}

engine::presence_list node_impl::ask_presences(const std::string& node,
                                               const std::vector<std::string>& users) {
  auto dest = endpoint_of(node);
  if (!dest)
    return {};
  caf::scoped_actor self{*system_};
  presence_list out;
  self->request(dest, peer_ask_timeout, many_atom::value, users)
    .receive([&](presence_list& answer) { out = std::move(answer); }, [](caf::error&) {});
  return out;
}

status node_impl::shutdown() {
  {
    std::lock_guard lock{mutex_};
    if (stopping_)
      return status::success();
    stopping_ = true;
  }
  changed_.notify_all();
  if (membership_.joinable())
    membership_.join();
  if (replicator_.joinable())
    replicator_.join();
  if (etcd_ && lease_ != 0)
    (void)etcd_->revoke_lease(lease_); // the others see this node leave at once
  status out = status::success();
  if (local_)
    out = local_->shutdown();
  if (endpoint_) {
    (void)system_->middleman().unpublish(endpoint_, port_);
    // Both reach into this node from their handlers: wait until they are gone.
    caf::scoped_actor self{*system_};
    self->monitor(endpoint_);
    self->monitor(router_);
    caf::anon_send_exit(endpoint_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router_, caf::exit_reason::user_shutdown);
    for (int down = 0; down < 2; ++down)
      self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds{5}) >> [] {});
  }
  // Requests the router had sent and that will never be answered now; writes waiting for the
  // replica.
  std::map<uint64_t, std::function<void(result<reply>)>> unanswered;
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard lock{mutex_};
    unanswered.swap(in_flight_);
    waiting.swap(after_catch_up_);
  }
  for (auto& [id, done] : unanswered)
    done(error{errc::shutting_down, "the node is shutting down"});
  for (auto& answer : waiting)
    answer();
  return out;
}

result<std::unique_ptr<node>> open(engine_config engine, node_config config) {
  if (auto st = events::validate_user_id(config.node_id); !st)
    return error{errc::invalid_setting, "node_id: not [A-Za-z0-9._-]{1,64}: " + config.node_id};
  if (config.etcd.empty())
    return error{errc::invalid_setting, "cluster_etcd: empty"};
  if (config.partitions == 0 || config.partitions > 4096)
    return error{errc::invalid_setting, "partitions: outside 1..4096"};
  auto system_config = std::make_unique<caf::actor_system_config>();
  register_engine_types(*system_config);
  system_config->load<caf::io::middleman>();
  auto threads = engine.scheduler_threads != 0 ? engine.scheduler_threads
                                               : std::max(1u, std::thread::hardware_concurrency());
  system_config->set("scheduler.policy", caf::atom("sharing"));
  system_config->set("scheduler.max-threads", threads);
  system_config->set("logger.verbosity", caf::atom("quiet"));
  auto system = std::make_unique<caf::actor_system>(*system_config);
  auto out = std::make_unique<node_impl>(std::move(config), std::move(system_config),
                                         std::move(system));
  if (auto st = out->start(std::move(engine)); !st)
    return st.error();
  return std::unique_ptr<node>{std::move(out)};
}

} // namespace presence::cluster
