#pragma once

// Checks on a `presencectl export` of the log taken after a restart: every acknowledged write is
// there (in order, per stream), and no connection of a dead epoch is still open.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ack_log.hpp"

namespace presence::crash {

/// The exported log, by stream.
struct exported_log {
  std::vector<nlohmann::json> events;                     ///< every event, oldest first
  std::map<std::string, std::vector<std::size_t>> streams;  ///< stream -> indexes into `events`
  uint64_t current_epoch = 0;  ///< the epoch of the newest epoch_started
  std::size_t bad_lines = 0;   ///< lines that were not JSON objects
};

/// Reads an export file (JSON lines). False when the file cannot be read.
bool read_export(const std::string& path, exported_log& log);

/// Whether `event` has the type and every field of `match`.
bool matches(const nlohmann::json& event, const nlohmann::json& match);

/// The acknowledged writes that are not in the log. Per stream, the writes must appear in the
/// order they were acknowledged (other events may come between them).
std::vector<write_record> missing_writes(const exported_log& log,
                                         const std::vector<write_record>& acked);

/// How many of `writes` (in flight at a kill) are anywhere in their stream.
std::size_t writes_found(const exported_log& log, const std::vector<write_record>& writes);

/// What the connection bookkeeping of the log says after a restart.
struct connection_audit {
  std::size_t closed_at_restart = 0;  ///< disconnected(server_restart) in the current epoch
  std::size_t open_now = 0;           ///< connections open at the end of the log
  std::vector<std::string> faults;    ///< dead-epoch connections still open, unknown disconnects…
};

/// Replays connected/disconnected in log order: every connection open when an epoch started must
/// be closed with reason server_restart in that epoch, and at the end of the log no connection of
/// an earlier epoch than the current one may be open.
connection_audit audit_connections(const exported_log& log);

} // namespace presence::crash
