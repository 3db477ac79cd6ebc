// A worker: one user's client. Opens and closes RTM sockets, tickles, sets its presence and its
// status; every acknowledged write goes to the ack_log in order.

#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "api_call.hpp"
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
      http_(target.host, target.port) {}

  /// One random operation; false when the server is gone.
  bool step() {
    ++stats_.operations;
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

 private:
  write_record record(json match) const { return {user_.id, std::move(match), target_.cycle}; }

  void acked(json match) {
    ++stats_.acked;
    log_.acked(record(std::move(match)));
  }

  bool in_flight(json match) {
    ++stats_.in_flight;
    log_.in_flight(record(std::move(match)));
    return false;
  }

  /// Handles an answer to a write; false when the server is gone.
  bool settle(const api_answer& answer, json match, const char* method) {
    if (answer.result == outcome::no_answer)
      return in_flight(std::move(match));
    if (answer.result == outcome::refused) {
      ++stats_.refused;
      stats_.fault(std::string(method) + " as " + user_.id + " refused: " + answer.body.dump());
      return true;
    }
    acked(std::move(match));
    return true;
  }

  bool open_socket() {
    if (sockets_.size() >= max_sockets)
      return close_socket();
    json match = {{"type", "connected"}, {"client", "rtm"}, {"epoch", target_.epoch}};
    auto ws = std::make_unique<test::ws_client>();
    auto err =
      ws->connect(target_.port, "/rtm", {{"Authorization", "Bearer " + user_.token}}, 3000ms);
    if (!err.empty())
      return in_flight(std::move(match));
    // `hello` comes only after the engine logged `connected`: it is the acknowledgement.
    if (!ws->await_type("hello", 5000ms))
      return in_flight(std::move(match));
    acked(std::move(match));
    sockets_.push_back(std::move(ws));
    return true;
  }

  bool close_socket() {
    if (sockets_.empty())
      return open_socket();
    auto index = rng_() % sockets_.size();
    sockets_[index]->close(2000ms);
    sockets_.erase(sockets_.begin() + static_cast<std::ptrdiff_t>(index));
    json match = {{"type", "disconnected"}, {"reason", "closed"}};
    // The close has no answer of its own: it is acknowledged once the user's own presence shows
    // the connection gone (the user actor applies an event only after the journal wrote it).
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto answer = call_api(http_, "users.getPresence", user_.token, "");
      if (answer.result == outcome::no_answer)
        return in_flight(std::move(match));
      if (answer.result == outcome::ok &&
          answer.body.value("connection_count", -1) == static_cast<int>(sockets_.size())) {
        acked(std::move(match));
        return true;
      }
      std::this_thread::sleep_for(2ms);  // polling a condition with a deadline: nothing to await
    }
    stats_.fault("the close of a socket of " + user_.id + " was not seen within 5 s");
    return in_flight(std::move(match));
  }

  bool tickle() {
    if (sockets_.empty())
      return open_socket();
    auto& ws = *sockets_[rng_() % sockets_.size()];
    if (ws.closed() || !ws.send(json{{"type", "tickle"}}))
      return false;
    // Activity has no answer and is coalesced: nothing to record. A ping barrier drains frames.
    return static_cast<bool>(ws.barrier(3000ms));
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
    return settle(call_api(http_, "users.setPresence", user_.token, form), std::move(match),
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
    return settle(call_api(http_, "users.profile.set", user_.token, "", &body), std::move(match),
                  "users.profile.set");
  }

  const known_user& user_;
  const run_target& target_;
  ack_log& log_;
  workload_stats& stats_;
  std::mt19937 rng_;
  test::http_client http_;
  std::vector<std::unique_ptr<test::ws_client>> sockets_;
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
}

} // namespace presence::crash
