// verify, part 2: the connection index, snapshots and metadata against the replay.
#include <algorithm>
#include <map>
#include <ostream>
#include <tuple>
#include <vector>

#include "presence/events/codec.hpp"
#include "presence/storage/history.hpp"
#include "presence/storage/record_layout.hpp"
#include "verifier.hpp"

namespace presence::tools {

namespace ev = presence::events;

namespace {

/// The names of the user_state fields where `a` and `b` differ, for a readable fault.
std::string differing_fields(const ev::user_state& a, const ev::user_state& b) {
  std::vector<std::string> names;
  const auto check = [&names](bool same, const char* name) {
    if (!same)
      names.emplace_back(name);
  };
  check(a.id == b.id, "id");
  check(a.connections.size() == b.connections.size() &&
          std::equal(a.connections.begin(), a.connections.end(), b.connections.begin(),
                     [](const auto& x, const auto& y) { return x == y; }),
        "connections");
  check(a.last_activity == b.last_activity, "last_activity");
  check(a.auto_away == b.auto_away, "auto_away");
  check(a.manual == b.manual && a.manual_until == b.manual_until, "manual");
  check(a.status == b.status, "status");
  check(a.idle_timeout == b.idle_timeout && a.auto_away_enabled == b.auto_away_enabled,
        "preferences");
  check(a.last_seq == b.last_seq, "last_seq");
  check(a.event_count == b.event_count, "event_count");
  std::string text;
  for (const auto& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "(no field named)" : text;
}

} // namespace

status verifier::load_snapshots() {
  auto scanned = log_.scan_raw("snapshots", [this](const storage::raw_record& record) {
    ++snapshot_records_;
    if (record.value.size() < 8) {
      fault("snapshots", record.key, "value is shorter than its 8-byte sequence");
      return true;
    }
    snapshot_check check;
    check.key = record.key;
    check.seq = *storage::layout::get_u64_be(std::string_view(record.value).substr(0, 8));
    std::string stream = record.key;
    if (record.key.find('\0') != std::string::npos) {
      // A checkpoint: stream, 0x00, the seq it covers.
      ++checkpoints_;
      check.checkpoint = true;
      auto parts = storage::layout::parse_stream_key(record.key);
      if (!parts) {
        fault("snapshots", record.key, "malformed checkpoint key: not stream, 0x00, 8-byte sequence");
        return true;
      }
      if (parts->seq != check.seq)
        fault("snapshots", record.key,
              "checkpoint key names seq " + std::to_string(parts->seq) + " but its value " +
                std::to_string(check.seq));
      stream = parts->stream;
    }
    const auto body = std::string_view(record.value).substr(8);
    if (stream == ev::workspace_stream) {
      auto context = storage::decode_context_checkpoint(body);
      if (!check.checkpoint || !context) {
        fault("snapshots", record.key, "not a workspace checkpoint");
        return true;
      }
      check.stored_context = *context;
    } else {
      auto decoded = ev::decode_snapshot(body);
      if (!decoded) {
        fault("snapshots", record.key, "snapshot does not decode: " + describe(decoded.error()));
        return true;
      }
      check.stored = std::move(*decoded);
    }
    check.decoded = true;
    snapshots_[stream].checks.push_back(std::move(check));
    return true;
  });
  for (auto& [stream, checks] : snapshots_) {
    std::stable_sort(checks.checks.begin(), checks.checks.end(),
                     [](const snapshot_check& a, const snapshot_check& b) { return a.seq < b.seq; });
    if (!retained_.trimmed() || stream == ev::workspace_stream)
      continue;
    // Below the retained history a stream's replay starts from its base (its newest checkpoint
    // there): the events it folded are gone, so it and anything older is taken as it is.
    for (auto& check : checks.checks) {
      if (check.seq >= retained_.from || !check.decoded)
        continue;
      users_[stream] = check.stored;
      check.replayed = check.stored;
      check.captured = true;
      ++checks.next;
    }
  }
  return scanned;
}

void verifier::check_snapshots() {
  for (auto& [stream, checks] : snapshots_) {
    const bool workspace = stream == ev::workspace_stream;
    for (auto& check : checks.checks) {
      if (!check.captured) {
        // No event of the stream after the snapshot's seq: the replay is the whole stream.
        if (workspace) {
          check.replayed_context = ev::context_of(workspace_);
        } else if (auto user = users_.find(stream); user != users_.end()) {
          check.replayed = user->second;
        } else {
          check.replayed = ev::user_state{};
          check.replayed.id = stream;
        }
      }
      if (check.seq > last_seen_seq_)
        fault("snapshots", check.key,
              "covers seq " + std::to_string(check.seq) + ", beyond the log's last seq " +
                std::to_string(last_seen_seq_));
      if (workspace) {
        const auto& a = check.stored_context;
        const auto& b = check.replayed_context;
        if (a.service_enabled != b.service_enabled ||
            a.default_idle_timeout != b.default_idle_timeout ||
            a.mobile_idle_timeout != b.mobile_idle_timeout)
          fault("snapshots", check.key,
                "differs from the presence context of a full replay of '" + stream +
                  "' up to seq " + std::to_string(check.seq));
        continue;
      }
      if (check.stored.last_seq != check.seq)
        fault("snapshots", check.key,
              "stored seq " + std::to_string(check.seq) + " but the state covers seq " +
                std::to_string(check.stored.last_seq));
      if (check.stored != check.replayed)
        fault("snapshots", check.key,
              "differs from a full replay of '" + stream + "' up to seq " +
                std::to_string(check.seq) + " in: " + differing_fields(check.stored, check.replayed));
    }
  }
}

status verifier::check_connections() {
  // (user, conn) → epoch, from the replay of every user stream.
  std::map<std::pair<std::string, std::string>, uint64_t> expected;
  for (const auto& [user, state] : users_)
    for (const auto& conn : state.connections)
      expected.emplace(std::pair{user, conn.id}, conn.epoch);
  auto scanned = log_.scan_raw("connections", [&](const storage::raw_record& record) {
    ++index_entries_;
    const auto separator = record.key.find('\0');
    if (separator == std::string::npos) {
      fault("connections", record.key, "malformed key: no 0x00 between user and connection");
      return true;
    }
    const auto epoch = storage::layout::get_u64_be(record.value);
    if (!epoch) {
      fault("connections", record.key, "value is not an 8-byte epoch");
      return true;
    }
    std::pair<std::string, std::string> id{record.key.substr(0, separator),
                                           record.key.substr(separator + 1)};
    auto it = expected.find(id);
    if (it == expected.end()) {
      fault("connections", record.key,
            "index lists connection '" + id.second + "' of '" + id.first +
              "', which is not open after replaying the user");
      return true;
    }
    if (it->second != *epoch)
      fault("connections", record.key,
            "index epoch " + std::to_string(*epoch) + " but the connected event says " +
              std::to_string(it->second));
    expected.erase(it);
    return true;
  });
  if (!scanned.ok())
    return scanned;
  for (const auto& [id, epoch] : expected)
    fault("connections", storage::layout::connection_key(id.first, id.second),
          "missing: connection '" + id.second + "' of '" + id.first + "' (epoch " +
            std::to_string(epoch) + ") is open after replay but not in the index");
  return status::success();
}

status verifier::check_meta() {
  bool has_schema = false;
  bool has_epoch = false;
  auto scanned = log_.scan_raw("meta", [&](const storage::raw_record& record) {
    if (record.key == storage::layout::meta_schema_version) {
      has_schema = true;
      const auto version = storage::layout::get_u32_be(record.value);
      if (!version)
        fault("meta", record.key, "schema version is not a 4-byte integer");
      else if (*version == 0 || *version > storage::schema_version)
        fault("meta", record.key,
              "schema version " + std::to_string(*version) + " is not supported (this build: " +
                std::to_string(storage::schema_version) + ")");
    } else if (record.key == storage::layout::meta_epoch) {
      has_epoch = true;
      const auto epoch = storage::layout::get_u64_be(record.value);
      if (!epoch)
        fault("meta", record.key, "epoch is not an 8-byte integer");
      else if (*epoch != max_epoch_)
        fault("meta", record.key,
              "epoch " + std::to_string(*epoch) + " but the newest epoch_started in the log is " +
                std::to_string(max_epoch_));
    } else if (record.key == storage::layout::meta_retained) {
      // Read once by the storage layer (a malformed mark fails the open); here it must agree with
      // what the rest of the check assumed.
      if (record.value.size() != 16 ||
          storage::layout::get_u64_be(record.value.substr(0, 8)) != retained_.from)
        fault("meta", record.key, "retention mark does not match the open database's");
    } else {
      fault("meta", record.key, "unknown metadata key");
    }
    return true;
  });
  if (!scanned.ok())
    return scanned;
  if (!has_schema)
    fault("meta", storage::layout::meta_schema_version, "missing schema version");
  if (!has_epoch && max_epoch_ != 0)
    fault("meta", storage::layout::meta_epoch,
          "missing, but the log started epoch " + std::to_string(max_epoch_));
  return status::success();
}

} // namespace presence::tools
