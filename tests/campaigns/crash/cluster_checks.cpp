#include "cluster_checks.hpp"

#include <thread>

#include "api_call.hpp"

namespace presence::crash {

namespace {

/// Why `user` does not read offline on the node at `port` ("" when it does).
std::string still_online(test::http_client& http, const known_user& user) {
  auto answer = call_api(http, "users.getPresence", user.token, "");
  if (answer.result != outcome::ok)
    return "users.getPresence failed: " + answer.body.dump();
  const auto& got = answer.body;
  if (got.value("presence", "") == "away" && got.value("online", true) == false &&
      got.value("connection_count", -1) == 0)
    return {};
  return got.dump();
}

} // namespace

offline_audit await_everyone_offline(const cluster_view& cluster,
                                     const std::vector<known_user>& users,
                                     std::chrono::milliseconds within) {
  offline_audit audit;
  std::vector<std::unique_ptr<test::http_client>> clients;
  for (auto port : cluster.ports)
    clients.push_back(std::make_unique<test::http_client>(cluster.host, port));
  auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    bool last = std::chrono::steady_clock::now() >= deadline;
    std::vector<std::string> faults;
    audit.reads = 0;
    for (const auto& user : users)
      for (std::size_t node = 0; node < clients.size(); ++node) {
        ++audit.reads;
        auto why = still_online(*clients[node], user);
        if (!why.empty() && faults.size() < 20)
          faults.push_back(user.id + " on node " + std::to_string(node + 1) + ": " + why);
      }
    if (faults.empty() || last) {
      audit.faults = std::move(faults);
      return audit;
    }
    // polling a condition with a deadline: the nodes give no event to await
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

cluster_connection_audit audit_cluster_connections(const exported_log& log) {
  cluster_connection_audit audit;
  std::map<std::string, uint64_t> open; // "stream/conn" -> seq of its connected
  for (const auto& event : log.events) {
    auto type = event.value("type", "");
    if (type != "connected" && type != "disconnected")
      continue;
    auto key = event.value("stream", "") + "/" + event.value("conn", "");
    if (type == "connected") {
      ++audit.connected;
      open[key] = event.value("seq", uint64_t{0});
      continue;
    }
    ++audit.closed_by_reason[event.value("reason", "")];
    if (open.erase(key) == 0 && audit.faults.size() < 20)
      audit.faults.push_back("seq " + std::to_string(event.value("seq", uint64_t{0})) +
                             ": disconnected " + key + " that is not open");
  }
  for (const auto& [key, seq] : open)
    audit.open_now.push_back(key + " (connected at seq " + std::to_string(seq) + ")");
  return audit;
}

} // namespace presence::crash
