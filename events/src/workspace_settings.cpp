// Workspace settings: parsing, range checks and listing, one table for all three.
#include <array>
#include <charconv>
#include <limits>

#include "presence/events/workspace_state.hpp"

namespace presence::events {

bool workspace_settings::operator==(const workspace_settings& other) const {
  return idle_timeout == other.idle_timeout && connection_limit == other.connection_limit
         && flush_interval_ms == other.flush_interval_ms
         && activity_log_interval == other.activity_log_interval
         && auto_reenable_below == other.auto_reenable_below
         && degraded_query_only == other.degraded_query_only
         && max_subscription == other.max_subscription
         && mobile_idle_timeout == other.mobile_idle_timeout
         && history_of_others == other.history_of_others;
}

namespace {

/// Parses a whole decimal integer (no sign for unsigned, no spaces, no '+') within [lo, hi].
template <class Int>
bool parse_in_range(std::string_view text, Int lo, Int hi, Int& out) {
  Int value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value < lo || value > hi)
    return false;
  out = value;
  return true;
}

/// One integer setting: its key, its member and its accepted range.
template <class Int>
struct integer_setting {
  std::string_view key;
  Int workspace_settings::*member;
  Int lo;
  Int hi;
};

constexpr uint64_t unbounded = std::numeric_limits<uint64_t>::max();

constexpr std::array<integer_setting<int64_t>, 4> signed_settings{{
  {"idle_timeout", &workspace_settings::idle_timeout, 1, 604800},
  {"mobile_idle_timeout", &workspace_settings::mobile_idle_timeout, 0, 604800},
  {"flush_interval_ms", &workspace_settings::flush_interval_ms, 1, 10000},
  {"activity_log_interval", &workspace_settings::activity_log_interval, 1, 3600},
}};

constexpr std::array<integer_setting<uint64_t>, 3> unsigned_settings{{
  {"connection_limit", &workspace_settings::connection_limit, 0, unbounded},
  {"auto_reenable_below", &workspace_settings::auto_reenable_below, 0, unbounded},
  {"max_subscription", &workspace_settings::max_subscription, 1, 100000},
}};

constexpr std::string_view degraded_mode_key = "degraded_mode";
constexpr std::string_view presence_history_key = "presence_history";

template <class Int, std::size_t N>
const integer_setting<Int>* find_setting(const std::array<integer_setting<Int>, N>& table,
                                         std::string_view key) {
  for (const auto& entry : table)
    if (entry.key == key)
      return &entry;
  return nullptr;
}

template <class Int>
status set_integer(workspace_settings& settings, const integer_setting<Int>& entry,
                   std::string_view value) {
  if (!parse_in_range(value, entry.lo, entry.hi, settings.*entry.member)) {
    std::string range = entry.hi == static_cast<Int>(unbounded)
                          ? "an integer >= " + std::to_string(entry.lo)
                          : "an integer in " + std::to_string(entry.lo) + ".."
                              + std::to_string(entry.hi);
    return {errc::invalid_setting,
            std::string(entry.key) + " must be " + range + ", got \"" + std::string(value) + "\""};
  }
  return {};
}

} // namespace

status set_setting(workspace_settings& settings, std::string_view key, std::string_view value) {
  if (auto entry = find_setting(signed_settings, key))
    return set_integer(settings, *entry, value);
  if (auto entry = find_setting(unsigned_settings, key))
    return set_integer(settings, *entry, value);
  if (key == degraded_mode_key) {
    if (value != "off" && value != "query_only")
      return {errc::invalid_setting,
              "degraded_mode must be \"off\" or \"query_only\", got \"" + std::string(value) + "\""};
    settings.degraded_query_only = value == "query_only";
    return {};
  }
  if (key == presence_history_key) {
    if (value != "self" && value != "everyone")
      return {errc::invalid_setting, "presence_history must be \"self\" or \"everyone\", got \"" +
                                       std::string(value) + "\""};
    settings.history_of_others = value == "everyone";
    return {};
  }
  return {errc::invalid_setting, "unknown setting \"" + std::string(key) + "\""};
}

std::vector<std::pair<std::string, std::string>> list_settings(const workspace_settings& s) {
  return {
    {"idle_timeout", std::to_string(s.idle_timeout)},
    {"connection_limit", std::to_string(s.connection_limit)},
    {"flush_interval_ms", std::to_string(s.flush_interval_ms)},
    {"activity_log_interval", std::to_string(s.activity_log_interval)},
    {"auto_reenable_below", std::to_string(s.auto_reenable_below)},
    {std::string(degraded_mode_key), s.degraded_query_only ? "query_only" : "off"},
    {"max_subscription", std::to_string(s.max_subscription)},
    {"mobile_idle_timeout", std::to_string(s.mobile_idle_timeout)},
    {std::string(presence_history_key), s.history_of_others ? "everyone" : "self"},
  };
}

} // namespace presence::events
