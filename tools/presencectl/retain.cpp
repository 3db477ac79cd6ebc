// `presencectl retain --before TIME | --keep-days N`: retention on a stopped database.
#include <chrono>
#include <ostream>

#include "commands.hpp"
#include "database.hpp"
#include "presence/storage/retention.hpp"
#include "time_format.hpp"

namespace presence::tools {

status run_retain(const std::string& db, const retain_options& options, std::ostream& out) {
  if (options.before.empty() == !options.keep_days.has_value())
    return status{errc::invalid_argument, "give either --before TIME or --keep-days N"};
  events::timestamp_us horizon = 0;
  if (options.keep_days) {
    const auto days = std::chrono::hours(24 * static_cast<int64_t>(*options.keep_days));
    horizon = now_us() - std::chrono::duration_cast<std::chrono::microseconds>(days).count();
  } else {
    auto before = parse_time(options.before);
    if (!before)
      return before.error();
    horizon = *before;
  }
  auto log = open_for_writing(db);
  if (!log)
    return log.error();
  auto pass = storage::apply_retention(**log, horizon);
  if (!pass)
    return pass.error();
  if (!pass->mark.trimmed()) {
    out << "nothing to fold: the history is kept whole\n";
    return status::success();
  }
  out << "retained history begins at " << format_time(pass->mark.since) << " (seq "
      << pass->mark.from << "); " << pass->streams_trimmed
      << " user streams folded into snapshots now\n";
  return status::success();
}

} // namespace presence::tools
