// A worker: one user's client. Opens and closes RTM sockets, tickles, sets its presence and its
// status; every acknowledged write goes to the ack_log in order. In a cluster each operation goes
// to a random live node, so a user's sockets may be on nodes other than its owner.

#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "api_call.hpp"
#include "server_link.hpp"
#include "support/ws_client.hpp"
#include "workload.hpp"

namespace presence::crash {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::size_t max_sockets = 3;
const char* const modes[] = {"auto", "away", "busy", "invisible"};
const char* const emojis[] = {":zap:", ":calendar:", ":palm_tree:", ":coffee:"};

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

class worker {
 public:
  worker(const known_user& user, const run_target& target, ack_log& log, workload_stats& stats,
         uint32_t seed)
    : user_(user), target_(target), log_(log), stats_(stats), rng_(seed),
      link_(target) {}

  /// One random operation; false when the server is gone (never in a cluster).
  bool step() {
    ++stats_.operations;
    if (!link_.pick(rng_))
      return true;  // every node is down: nothing to try
    prune_sockets();
    auto dice = rng_() % 100;
    if (dice < 14)
      return open_socket();
    if (dice < 24)
      return close_socket();
    if (dice < 40)
      return tickle();
    if (dice < 68)
      return set_presence();
    return set_status();
  }

  /// Closes every socket politely (the end of a cluster campaign: nobody may stay online).
  void close_all() {
    for (auto& socket : sockets_)
      socket.ws->close(2000ms);
    sockets_.clear();
  }

 private:
  /// An open socket and the node (and its port at the time) it is on.
  struct socket {
    std::unique_ptr<test::ws_client> ws;
    std::size_t node = 0;
    uint16_t port = 0;
    uint64_t changes = 0;  ///< the cluster's port changes when it opened
  };

  write_record record(json match) const { return {user_.id, std::move(match), target_.cycle}; }

  void acked(json match) {
    ++stats_.acked;
    log_.acked(record(std::move(match)));
  }

  /// A write without an answer; false when the server is gone (a single server).
  bool in_flight(json match) {
    ++stats_.in_flight;
    log_.in_flight(record(std::move(match)));
    return link_.cluster();
  }

  /// Handles an answer to a write; false when the server is gone.
  bool settle(const api_answer& answer, json match, const char* method) {
    if (answer.result == outcome::no_answer || (link_.cluster() && answer.unavailable()))
      return in_flight(std::move(match));
    if (answer.result == outcome::refused) {
      ++stats_.refused;
      stats_.fault(std::string(method) + " as " + user_.id + " refused: " + answer.body.dump());
      return true;
    }
    acked(std::move(match));
    return true;
  }

  /// Forgets the sockets that ended: their node was killed or restarted, or a node closed them
  /// (the owner of the user was lost). In a cluster only: one server's sockets all end at a kill.
  void prune_sockets() {
    if (!link_.cluster())
      return;
    for (auto i = sockets_.begin(); i != sockets_.end();) {
      while (!i->ws->closed() && i->ws->next(1ms)) {
        // drains what arrived, so that a close frame is seen
      }
      bool ended = i->ws->closed() || i->ws->write_failed() || !link_.current(i->node, i->port);
      i = ended ? sockets_.erase(i) : std::next(i);
    }
  }

  bool open_socket() {
    if (sockets_.size() >= max_sockets)
      return close_socket();
    json match = {{"type", "connected"}, {"client", "rtm"}};
    // Each node has an epoch of its own: the one a cluster connection carries is not checked.
    if (!link_.cluster())
      match["epoch"] = target_.epoch;
    auto ws = std::make_unique<test::ws_client>();
    auto err =
      ws->connect(link_.port(), "/rtm", {{"Authorization", "Bearer " + user_.token}}, 3000ms);
    if (!err.empty())
      return in_flight(std::move(match));
    // `hello` comes only after the engine logged `connected`: it is the acknowledgement.
    if (!ws->await_type("hello", 5000ms))
      return in_flight(std::move(match));
    acked(std::move(match));
    sockets_.push_back({std::move(ws), link_.node(), link_.port(), link_.changes()});
    return true;
  }

  /// Cluster: whether the owner counts fewer connections than this client has sockets although
  /// no node went down or came back since they opened (only this client closes them then). A
  /// fault: the user reads offline, or less connected, while its sockets are open.
  bool undercounted() {
    auto changes = link_.changes();
    for (const auto& socket : sockets_)
      if (socket.changes != changes)
        return false;
    auto answer = call_api(link_.http(), "users.getPresence", user_.token, "");
    auto count = answer.result == outcome::ok ? answer.body.value("connection_count", -1) : -1;
    if (count < 0 || count >= static_cast<int>(sockets_.size()) || link_.changes() != changes)
      return false;
    stats_.fault(user_.id + ": the owner counts " + std::to_string(count) + " connections for " +
                 std::to_string(sockets_.size()) +
                 " open sockets, and no node went down or came back since they opened");
    return true;
  }

  bool close_socket() {
    if (sockets_.empty())
      return open_socket();
    bool undercount = link_.cluster() && undercounted();
    auto index = rng_() % sockets_.size();
    auto changes = link_.changes();
    auto& closing = *sockets_[index].ws;
    closing.close(2000ms);
    // In a cluster a node that went down or came back since the socket opened may have ended its
    // connection already: the owner's restart closed it (server_restart) before the node the
    // socket is on noticed and closed the socket (1012), or that node went down (node_lost). The
    // log then has no disconnected(closed) for it: the close is in flight.
    // An undercounted connection may be the one closed: its disconnected(closed) would not come.
    bool clean = closing.close_reason().code == 1000 && sockets_[index].changes == changes &&
                 !undercount;
    sockets_.erase(sockets_.begin() + static_cast<std::ptrdiff_t>(index));
    json match = {{"type", "disconnected"}, {"reason", "closed"}};
    if (link_.cluster() && !clean)
      return in_flight(std::move(match));
    // The close has no answer of its own: it is acknowledged once the user's own presence shows
    // the connection gone (the user actor applies an event only after the journal wrote it). In
    // a cluster the count may also wait for the owner to see a lost node's sockets go, and a
    // node that went down or came back meanwhile leaves it in flight (see above).
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto answer = call_api(link_.http(), "users.getPresence", user_.token, "");
      if (answer.result == outcome::no_answer && !link_.cluster())
        return in_flight(std::move(match));
      prune_sockets();
      if (answer.result == outcome::ok &&
          answer.body.value("connection_count", -1) == static_cast<int>(sockets_.size())) {
        if (link_.changes() != changes)
          break;
        acked(std::move(match));
        return true;
      }
      if (answer.result != outcome::ok && !link_.pick(rng_))
        break;
      std::this_thread::sleep_for(2ms);  // polling a condition with a deadline: nothing to await
    }
    if (!link_.cluster())
      stats_.fault("the close of a socket of " + user_.id + " was not seen within 5 s");
    return in_flight(std::move(match));
  }

  bool tickle() {
    if (sockets_.empty())
      return open_socket();
    auto& ws = *sockets_[rng_() % sockets_.size()].ws;
    // Activity has no answer and is coalesced: nothing to record. A ping barrier drains frames.
    // (A cluster socket that fails here is pruned at the next step.)
    bool answered = !ws.closed() && ws.send(json{{"type", "tickle"}}) && ws.barrier(3000ms);
    return answered || link_.cluster();
  }

  bool set_presence() {
    std::string mode = modes[rng_() % 4];
    std::string form = "presence=" + mode;
    json match = {{"type", "presence_set"}, {"mode", mode}};
    if (mode != "auto" && rng_() % 2 == 0) {
      // Far in the future: nothing expires during the campaign.
      int64_t until = unix_now() + 30 * 86400 + static_cast<int64_t>(rng_() % 86400);
      form += "&expiration=" + std::to_string(until);
      match["until"] = export_time(until);
    }
    return settle(call_api(link_.http(), "users.setPresence", user_.token, form), std::move(match),
                  "users.setPresence");
  }

  bool set_status() {
    // A text no other write uses, so the event is identifiable in the export.
    std::string text = "crash " + user_.id + " run " + std::to_string(target_.cycle) + " #" +
                       std::to_string(++serial_);
    std::string emoji = emojis[rng_() % 4];
    int64_t expiration = rng_() % 3 == 0 ? unix_now() + 40 * 86400 : 0;
    json body = {{"profile",
                  {{"status_text", text}, {"status_emoji", emoji}, {"status_expiration", expiration}}}};
    json match = {{"type", "status_set"}, {"text", text}, {"emoji", emoji}, {"expiration", expiration}};
    return settle(call_api(link_.http(), "users.profile.set", user_.token, "", &body),
                  std::move(match), "users.profile.set");
  }


  const known_user& user_;
  const run_target& target_;
  ack_log& log_;
  workload_stats& stats_;
  std::mt19937 rng_;
  server_link link_;
  std::vector<socket> sockets_;
  uint64_t serial_ = 0;
};

} // namespace

void workload::worker_main(const known_user& user, uint32_t seed) {
  worker client(user, target_, log_, stats_, seed);
  std::mt19937 pace(seed ^ 0x9e3779b9u);
  while (!stopping_) {
    if (!client.step())
      return;
    if (pace_ms_ > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(pace() % (pace_ms_ + 1)));
  }
  if (target_.cluster != nullptr)
    client.close_all();
}

} // namespace presence::crash
