#include "log_checks.hpp"

#include <fstream>
#include <set>

namespace presence::crash {

using nlohmann::json;

bool read_export(const std::string& path, exported_log& log) {
  std::ifstream in(path);
  if (!in)
    return false;
  for (std::string line; std::getline(in, line);) {
    if (line.empty())
      continue;
    auto event = json::parse(line, nullptr, false);
    if (!event.is_object()) {
      ++log.bad_lines;
      continue;
    }
    auto stream = event.value("stream", "");
    if (event.value("type", "") == "epoch_started")
      log.current_epoch = event.value("epoch", uint64_t{0});
    log.streams[stream].push_back(log.events.size());
    log.events.push_back(std::move(event));
  }
  return true;
}

bool matches(const json& event, const json& match) {
  for (const auto& [key, value] : match.items()) {
    auto it = event.find(key);
    if (it == event.end() || *it != value)
      return false;
  }
  return true;
}

std::vector<write_record> missing_writes(const exported_log& log,
                                         const std::vector<write_record>& acked) {
  // Greedy in-order matching per stream: a subsequence exists iff matching each write to the
  // earliest fitting event after the previous match succeeds.
  static const std::vector<std::size_t> none;
  std::map<std::string, std::size_t> next;  // stream -> position in its index list
  std::vector<write_record> missing;
  for (const auto& write : acked) {
    auto found = log.streams.find(write.stream);
    const auto& indexes = found == log.streams.end() ? none : found->second;
    auto& pos = next[write.stream];
    std::size_t i = pos;
    while (i < indexes.size() && !matches(log.events[indexes[i]], write.match))
      ++i;
    if (i == indexes.size()) {
      missing.push_back(write);  // `pos` stays: the following writes are still checked
      continue;
    }
    pos = i + 1;
  }
  return missing;
}

std::size_t writes_found(const exported_log& log, const std::vector<write_record>& writes) {
  std::size_t found = 0;
  for (const auto& write : writes) {
    auto it = log.streams.find(write.stream);
    if (it == log.streams.end())
      continue;
    for (auto index : it->second)
      if (matches(log.events[index], write.match)) {
        ++found;
        break;
      }
  }
  return found;
}

connection_audit audit_connections(const exported_log& log) {
  struct open_conn {
    std::string stream;
    uint64_t epoch = 0;
    bool stale = false;  ///< open when a later epoch started: must close with server_restart
  };
  connection_audit audit;
  std::map<std::string, open_conn> open;
  uint64_t epoch = 0;
  auto fault = [&audit](std::string what) {
    if (audit.faults.size() < 20)
      audit.faults.push_back(std::move(what));
  };
  for (const auto& event : log.events) {
    auto type = event.value("type", "");
    auto seq = std::to_string(event.value("seq", uint64_t{0}));
    if (type == "epoch_started") {
      epoch = event.value("epoch", uint64_t{0});
      for (auto& [conn, info] : open)
        info.stale = true;
    } else if (type == "connected") {
      auto conn = event.value("conn", "");
      if (event.value("epoch", uint64_t{0}) != epoch)
        fault("seq " + seq + ": connected " + conn + " with epoch " +
              std::to_string(event.value("epoch", uint64_t{0})) + " during epoch " +
              std::to_string(epoch));
      open[conn] = {event.value("stream", ""), event.value("epoch", uint64_t{0}), false};
    } else if (type == "disconnected") {
      auto conn = event.value("conn", "");
      auto it = open.find(conn);
      if (it == open.end()) {
        fault("seq " + seq + ": disconnected " + conn + " that is not open");
        continue;
      }
      auto reason = event.value("reason", "");
      if (it->second.stale && reason != "server_restart")
        fault("seq " + seq + ": connection " + conn + " of a dead epoch closed with " + reason);
      if (it->second.stale && epoch == log.current_epoch)
        ++audit.closed_at_restart;
      open.erase(it);
    }
  }
  audit.open_now = open.size();
  for (const auto& [conn, info] : open)
    if (info.epoch < log.current_epoch)
      fault("connection " + conn + " of " + info.stream + " from dead epoch " +
            std::to_string(info.epoch) + " is still open");
  return audit;
}

} // namespace presence::crash
