// `presencectl history USER` and `presencectl log`: timelines of one stream or the whole log.
#include <limits>
#include <ostream>

#include "commands.hpp"
#include "database.hpp"
#include "presence/storage/recovery.hpp"
#include "time_format.hpp"
#include "timeline_printer.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;

constexpr ev::timestamp_us min_time = std::numeric_limits<ev::timestamp_us>::min();
constexpr ev::timestamp_us max_time = std::numeric_limits<ev::timestamp_us>::max();

/// Parses an optional TIME option: empty gives `fallback`.
result<ev::timestamp_us> optional_time(const std::string& text, ev::timestamp_us fallback) {
  if (text.empty())
    return fallback;
  return parse_time(text);
}

} // namespace

status run_history(const std::string& db, const history_options& options, std::ostream& out) {
  auto since = optional_time(options.since, min_time);
  if (!since)
    return since.error();
  auto until = optional_time(options.until, max_time);
  if (!until)
    return until.error();
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  auto workspace = storage::replay_workspace(**log);
  if (!workspace)
    return workspace.error();
  if (auto known = require_known_stream(**log, options.user, *workspace); !known.ok())
    return known;
  timeline_printer printer(out, options.json);
  auto scanned = (*log)->read_stream(options.user, 0, [&](const ev::event& event) {
    // The stream is in time order: stop at the first event at or after `until`.
    if (event.ts >= *until)
      return false;
    if (event.ts >= *since)
      printer.print(event);
    return true;
  });
  if (!scanned.ok())
    return scanned;
  printer.finish();
  return status::success();
}

status run_log(const std::string& db, const log_options& options, std::ostream& out) {
  const bool by_time = !options.since.empty() || !options.until.empty();
  const bool by_seq = options.from_seq.has_value() || options.to_seq.has_value();
  if (by_time && by_seq)
    return status{errc::invalid_argument,
                  "use either --since/--until or --from-seq/--to-seq, not both"};
  std::optional<ev::event_type> type;
  if (!options.type.empty()) {
    type = ev::parse_event_type(options.type);
    if (!type)
      return status{errc::invalid_argument, "unknown event type '" + options.type + "'"};
  }
  auto since = optional_time(options.since, min_time);
  if (!since)
    return since.error();
  auto until = optional_time(options.until, max_time);
  if (!until)
    return until.error();
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  timeline_printer printer(out, options.json);
  const auto visit = [&](const ev::event& event) {
    if (!type || ev::type_of(event.body) == *type)
      printer.print(event);
    return true;
  };
  status scanned = by_time ? (*log)->read_time_range(*since, *until, visit)
                           : (*log)->read_range(options.from_seq.value_or(1),
                                                options.to_seq.value_or((*log)->last_sequence()),
                                                visit);
  if (!scanned.ok())
    return scanned;
  printer.finish();
  return status::success();
}

} // namespace presence::tools
