// `presencectl history USER` and `presencectl log`: timelines of one stream or the whole log.
#include <ostream>

#include "commands.hpp"
#include "database.hpp"
#include "time_format.hpp"
#include "timeline_printer.hpp"

namespace presence::tools {

namespace ev = presence::events;

status run_history(const std::string& db, const history_options& options, std::ostream& out) {
  auto range = parse_time_range(options.since, options.until);
  if (!range)
    return range.error();
  auto opened = open_for_stream(db, options.user);
  if (!opened)
    return opened.error();
  timeline_printer printer(out, options.json);
  const auto mark = opened->log->retained();
  if (mark.trimmed() && options.user != ev::workspace_stream && !options.json)
    out << "# retained history begins at " << format_time(mark.since) << " (seq " << mark.from
        << "): earlier events were folded into a snapshot\n";
  auto scanned = opened->log->read_stream(options.user, 0, [&](const ev::event& event) {
    // The stream is in time order: stop at the first event at or after `until`.
    if (event.ts >= range->until)
      return false;
    if (event.ts >= range->since)
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
  auto range = parse_time_range(options.since, options.until);
  if (!range)
    return range.error();
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  timeline_printer printer(out, options.json);
  const auto visit = [&](const ev::event& event) {
    if (!type || ev::type_of(event.body) == *type)
      printer.print(event);
    return true;
  };
  status scanned = by_time ? (*log)->read_time_range(range->since, range->until, visit)
                           : (*log)->read_range(options.from_seq.value_or(1),
                                                options.to_seq.value_or((*log)->last_sequence()),
                                                visit);
  if (!scanned.ok())
    return scanned;
  printer.finish();
  return status::success();
}

} // namespace presence::tools
