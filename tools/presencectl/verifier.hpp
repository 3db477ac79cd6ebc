#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "presence/events/presence.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::tools {

/// `presencectl verify`: reads every raw record of every column family and checks that
///  - every record decodes (log, streams, snapshots; connections and meta values have their sizes),
///  - the global log holds seq 1..last_sequence() without a gap, timestamps never go back, and
///    each event's type belongs to its stream (user events in user streams, workspace events in
///    `$workspace`),
///  - every `streams` record equals the `log` record with its seq byte for byte (and names the
///    same stream), and every `log` record has its `streams` entry,
///  - the connection index equals the open connections of a replay of every user,
///  - every snapshot and checkpoint equals a full replay of its stream up to its seq (for the
///    workspace's checkpoints, the presence context of that replay),
///  - `meta` holds a supported schema version and the newest epoch of the log.
/// After retention (storage/retention.hpp) the log may lack user events below the retained
/// history's first sequence; each user's replay then starts from its base checkpoint, which has
/// no events left to be checked against.
/// Each fault is printed as one line naming its column family and key (hex). Single-threaded.
class verifier {
 public:
  verifier(const storage::event_log& log, std::ostream& out) : log_(log), out_(out) {}

  /// Runs every check and prints the faults, then a summary. Returns the number of faults.
  /// Error only when a column family cannot be read at all (`storage_failure`).
  [[nodiscard]] result<uint64_t> run();

 private:
  struct log_entry {
    std::string value;   ///< raw record, for the byte-for-byte comparison with `streams`
    std::string stream;  ///< empty when the record does not decode
    bool streamed = false;
  };
  /// A snapshot (key = stream) or a checkpoint (key = stream, 0x00, seq) of one stream: a user
  /// state, or for `$workspace` a presence context.
  struct snapshot_check {
    std::string key;
    events::sequence seq = 0;
    bool checkpoint = false;
    events::user_state stored;
    events::user_state replayed;
    events::presence_context stored_context;
    events::presence_context replayed_context;
    bool decoded = false;
    bool captured = false;
  };
  /// The checks of one stream in seq order, and the first one not captured yet.
  struct stream_checks {
    std::vector<snapshot_check> checks;
    std::size_t next = 0;
  };

  [[nodiscard]] status load_snapshots();
  [[nodiscard]] status check_log();
  void fold(const events::event& ev);
  [[nodiscard]] status check_streams();
  [[nodiscard]] status check_connections();
  void check_snapshots();
  [[nodiscard]] status check_meta();
  void print_summary() const;

  /// Prints one fault: column family, key in hex, what is wrong.
  void fault(std::string_view column_family, std::string_view key, const std::string& message);

  const storage::event_log& log_;
  storage::retention_mark retained_;  ///< where the retained history begins
  std::ostream& out_;
  uint64_t faults_ = 0;
  uint64_t log_records_ = 0;
  uint64_t stream_records_ = 0;
  uint64_t index_entries_ = 0;
  events::sequence last_seen_seq_ = 0;
  std::unordered_map<events::sequence, log_entry> log_entries_;
  std::map<std::string, events::user_state, std::less<>> users_;  ///< full replay per user
  events::workspace_state workspace_;
  uint64_t max_epoch_ = 0;  ///< newest epoch_started in the log (what `meta` must hold)
  std::map<std::string, stream_checks, std::less<>> snapshots_;  ///< by stream
  uint64_t snapshot_records_ = 0;  ///< snapshots and checkpoints
  uint64_t checkpoints_ = 0;
};

} // namespace presence::tools
