// verify, part 1: the driver, the global log and the per-stream log.
#include "verifier.hpp"

#include <algorithm>
#include <ostream>
#include <type_traits>

#include "presence/events/codec.hpp"
#include "progress.hpp"
#include "presence/storage/record_layout.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace ev = presence::events;

result<uint64_t> verifier::run() {
  retained_ = log_.retained();
  // Snapshots first, so the log pass can capture each user's state at its snapshot's seq.
  for (auto step : {&verifier::load_snapshots, &verifier::check_log, &verifier::check_streams,
                    &verifier::check_connections, &verifier::check_meta})
    if (auto done = (this->*step)(); !done.ok())
      return done.error();
  check_snapshots();
  print_summary();
  return faults_;
}

void verifier::fault(std::string_view column_family, std::string_view key,
                     const std::string& message) {
  ++faults_;
  out_ << "FAULT " << column_family << " key=" << storage::layout::to_hex(key) << ": " << message << '\n';
}

status verifier::check_log() {
  const ev::sequence last = log_.last_sequence();
  progress shown("verify log", last);
  ev::sequence expected = 1;
  ev::timestamp_us previous_ts = 0;
  auto scanned = log_.scan_raw("log", [&](const storage::raw_record& record) {
    shown.tick();
    ++log_records_;
    const auto seq = storage::layout::get_u64_be(record.key);
    if (!seq || *seq == 0) {
      fault("log", record.key, "malformed key: not an 8-byte big-endian sequence of 1 or more");
      return true;
    }
    // Below the retained history only the workspace's records are left: gaps are expected.
    if (*seq > expected && expected < retained_.from)
      expected = std::min(*seq, retained_.from);
    if (*seq > expected)
      fault("log", storage::layout::log_key(expected),
            *seq - expected == 1
              ? "sequence gap: seq " + std::to_string(expected) + " is missing"
              : "sequence gap: seq " + std::to_string(expected) + ".." +
                  std::to_string(*seq - 1) + " are missing");
    expected = *seq + 1;
    last_seen_seq_ = *seq;
    log_entry& entry = log_entries_[*seq];
    entry.value = record.value;
    auto decoded = ev::decode(record.value, *seq);
    if (!decoded) {
      fault("log", record.key, "record does not decode: " + describe(decoded.error()));
      return true;
    }
    entry.stream = decoded->stream;
    if (decoded->ts < previous_ts)
      fault("log", record.key,
            "timestamp " + format_time(decoded->ts) + " is before the previous record's " +
              format_time(previous_ts));
    previous_ts = std::max(previous_ts, decoded->ts);
    const bool user_type = ev::is_user_event(ev::type_of(decoded->body));
    if (user_type == (decoded->stream == ev::workspace_stream))
      fault("log", record.key,
            std::string(ev::to_string(ev::type_of(decoded->body))) + " event in stream '" +
              decoded->stream + "'");
    fold(*decoded);
    return true;
  });
  if (!scanned.ok())
    return scanned;
  if (last_seen_seq_ != last)
    fault("log", storage::layout::log_key(std::min(last_seen_seq_, last) + 1),
          "the log ends at seq " + std::to_string(last_seen_seq_) +
            " but the database's last sequence is " + std::to_string(last));
  return status::success();
}

void verifier::fold(const events::event& event) {
  // A snapshot covers events up to its seq: the state before the first later event is its replay.
  auto capture = [&](const auto& replayed) {
    auto checks = snapshots_.find(event.stream);
    if (checks == snapshots_.end())
      return;
    auto& [list, next] = checks->second;
    for (; next < list.size() && list[next].seq < event.seq; ++next) {
      if constexpr (std::is_same_v<std::decay_t<decltype(replayed)>, ev::workspace_state>)
        list[next].replayed_context = ev::context_of(replayed);
      else
        list[next].replayed = replayed;
      list[next].captured = true;
    }
  };
  if (event.stream == ev::workspace_stream) {
    if (const auto* started = std::get_if<ev::epoch_started>(&event.body))
      max_epoch_ = std::max(max_epoch_, started->epoch);
    capture(workspace_);
    ev::apply(workspace_, event);
    return;
  }
  auto it = users_.find(event.stream);
  if (it == users_.end()) {
    it = users_.emplace(event.stream, ev::user_state{}).first;
    it->second.id = event.stream;  // as storage::replay_user starts its fold
  }
  capture(it->second);
  ev::apply(it->second, event);
}

status verifier::check_streams() {
  progress shown("verify streams", log_records_);
  auto scanned = log_.scan_raw("streams", [&](const storage::raw_record& record) {
    shown.tick();
    ++stream_records_;
    const auto key = storage::layout::parse_stream_key(record.key);
    if (!key) {
      fault("streams", record.key, "malformed key: not stream, 0x00, 8-byte sequence");
      return true;
    }
    auto decoded = ev::decode(record.value, key->seq);
    if (!decoded)
      fault("streams", record.key, "record does not decode: " + describe(decoded.error()));
    else if (decoded->stream != key->stream)
      fault("streams", record.key,
            "record belongs to stream '" + decoded->stream + "' but its key names '" +
              key->stream + "'");
    auto entry = log_entries_.find(key->seq);
    if (entry == log_entries_.end()) {
      fault("streams", record.key,
            "no log record with seq " + std::to_string(key->seq) + " (stream '" + key->stream +
              "')");
      return true;
    }
    if (entry->second.streamed)
      fault("streams", record.key,
            "a second streams entry for seq " + std::to_string(key->seq));
    entry->second.streamed = true;
    if (entry->second.value != record.value)
      fault("streams", record.key,
            "differs from the log record with seq " + std::to_string(key->seq));
    else if (!entry->second.stream.empty() && entry->second.stream != key->stream)
      fault("streams", record.key,
            "log record " + std::to_string(key->seq) + " belongs to stream '" +
              entry->second.stream + "'");
    return true;
  });
  if (!scanned.ok())
    return scanned;
  for (ev::sequence seq = 1; seq <= last_seen_seq_; ++seq) {
    auto entry = log_entries_.find(seq);
    if (entry == log_entries_.end() || entry->second.streamed)
      continue;
    const std::string& stream = entry->second.stream;
    if (stream.empty())
      fault("log", storage::layout::log_key(seq),
            "no streams entry (and the record does not decode to name its stream)");
    else
      fault("streams", storage::layout::stream_key(stream, seq),
            "missing: log record " + std::to_string(seq) + " of stream '" + stream +
              "' has no streams entry");
  }
  return status::success();
}

void verifier::print_summary() const {
  if (retained_.trimmed())
    out_ << "retained     from seq " << retained_.from << " (" << format_time(retained_.since)
         << "): older user events were folded into snapshots\n";
  out_ << "log          " << log_records_ << " records, seq 1.." << last_seen_seq_ << '\n'
       << "streams      " << stream_records_ << " records, " << users_.size() << " user streams"
       << (workspace_.event_count != 0 ? " + $workspace" : "") << '\n'
       << "connections  " << index_entries_ << " index entries\n"
       << "snapshots    " << snapshot_records_ - checkpoints_ << '\n'
       << "checkpoints  " << checkpoints_ << '\n';
  if (faults_ == 0)
    out_ << "verify: OK, no faults\n";
  else
    out_ << "verify: " << faults_ << (faults_ == 1 ? " fault\n" : " faults\n");
}

} // namespace presence::tools
