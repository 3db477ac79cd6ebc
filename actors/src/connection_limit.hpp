#pragma once

// The workspace connection limit (docs/design.md §1) as a plain decision table, so it can be tested
// without CAF. The supervisor owns one and turns its decisions into events.

#include <cstdint>

#include "presence/events/workspace_state.hpp"

namespace presence::actors {

/// What the presence service must do after a change in the connection count or the settings.
enum class service_action : uint8_t {
  none,     ///< nothing
  disable,  ///< append `service_disabled("connection_limit", count)`
  reenable, ///< append `service_enabled` by `system` (auto_reenable_below)
};

/// Counts the workspace's open connections and decides when the service turns off or back on.
/// Not thread-safe (owned by one actor). Rules:
/// - the count never goes below 0 (a disconnect of a connection opened before this process
///   started, e.g. closed by start-up recovery, is not counted twice);
/// - a connect that takes the count past `connection_limit` (> limit, limit != 0) while the
///   service is on disables it; only connects do: lowering the limit below the count does not;
/// - with `auto_reenable_below` != 0, a disabled service comes back on by itself when the count
///   is below that value and `can_enable` holds (below the limit too, so it cannot flap);
/// - `can_enable` (the admin's enable) holds while count < limit, or the limit is 0;
/// - in a cluster, the count is this node's connections plus the other nodes' (`on_others`), and
///   a rise of the other nodes' count disables like a connect does.
class connection_limit {
 public:
  /// Applies a delta reported by a user actor (+1 connect, -1 disconnect) and decides.
  service_action on_delta(int64_t delta, const events::workspace_settings& settings,
                          bool service_enabled) noexcept;

  /// Decides after a settings change (auto_reenable_below or the limit may now allow it).
  service_action on_settings(const events::workspace_settings& settings,
                             bool service_enabled) const noexcept;

  /// Sets the other cluster nodes' connections and decides (a rise acts as connects, a fall as
  /// disconnects).
  service_action on_others(uint64_t others, const events::workspace_settings& settings,
                           bool service_enabled) noexcept;

  /// Whether an admin may turn the service on now.
  bool can_enable(const events::workspace_settings& settings) const noexcept;

  /// Open connections counted so far, over the whole cluster.
  uint64_t count() const noexcept { return count_ + others_; }
  /// Open connections of this node's users.
  uint64_t local() const noexcept { return count_; }

 private:
  service_action over_limit(const events::workspace_settings& settings,
                            bool service_enabled) const noexcept;
  service_action auto_reenable(const events::workspace_settings& settings,
                               bool service_enabled) const noexcept;

  uint64_t count_ = 0;
  uint64_t others_ = 0;
};

} // namespace presence::actors
