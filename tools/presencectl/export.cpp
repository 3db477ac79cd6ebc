// `presencectl export [--out FILE]`: every event as JSON lines, oldest first.
#include <fstream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "database.hpp"
#include "event_json.hpp"
#include "progress.hpp"
#include "time_format.hpp"

namespace presence::tools {

status run_export(const std::string& db, const export_options& options, std::ostream& out) {
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  std::ofstream file;
  if (!options.out.empty()) {
    file.open(options.out, std::ios::binary | std::ios::trunc);
    if (!file)
      return status{errc::invalid_argument, "cannot write '" + options.out + "'"};
  }
  std::ostream& sink = options.out.empty() ? out : file;
  const auto last = (*log)->last_sequence();
  if (const auto mark = (*log)->retained(); mark.trimmed()) {
    // Says where the history begins: import refuses such a file (the bases are not in it).
    nlohmann::ordered_json marker = {{"retained_from", mark.from},
                                     {"retained_since", format_time(mark.since)}};
    sink << marker.dump() << '\n';
  }
  progress shown("export", last);
  uint64_t count = 0;
  auto scanned = (*log)->read_range(1, last, [&](const events::event& ev) {
    sink << to_json_line(ev) << '\n';
    ++count;
    shown.tick();
    return static_cast<bool>(sink);
  });
  if (!scanned.ok())
    return scanned;
  sink.flush();
  if (!sink)
    return status{errc::storage_failure, "write failed after " + std::to_string(count) + " events"};
  if (!options.out.empty())
    out << "exported " << count << " events to " << options.out << '\n';
  return status::success();
}

} // namespace presence::tools
