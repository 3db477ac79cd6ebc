// `presencectl import FILE`: validate the whole file, then append it in batches.
#include <algorithm>
#include <fstream>
#include <functional>
#include <ostream>
#include <vector>

#include "commands.hpp"
#include "database.hpp"
#include "event_json.hpp"
#include "progress.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;

constexpr std::size_t max_reported_faults = 20;

/// Calls `visit(line_number, text)` for every non-blank line of `path`; stops when it returns
/// false. Error: `invalid_argument` when the file cannot be read.
status for_each_line(const std::string& path,
                     const std::function<bool(uint64_t, const std::string&)>& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return status{errc::invalid_argument, "cannot read '" + path + "'"};
  std::string line;
  uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    if (!visit(number, line))
      break;
  }
  if (in.bad())
    return status{errc::storage_failure, "read error in '" + path + "'"};
  return status::success();
}

/// The sequence and timestamp the next imported event must continue from.
struct log_tail {
  ev::sequence last_seq = 0;
  ev::timestamp_us last_ts = 0;
};

result<log_tail> read_tail(const storage::event_log& log) {
  log_tail tail{log.last_sequence(), 0};
  if (tail.last_seq == 0)
    return tail;
  auto read = log.read_range(tail.last_seq, tail.last_seq, [&tail](const ev::event& last) {
    tail.last_ts = last.ts;
    return false;
  });
  if (!read.ok())
    return read.error();
  return tail;
}

/// Checks one parsed line against the running sequence and time; assigns `seq` when absent.
std::string check_order(parsed_line& line, log_tail& tail) {
  const ev::sequence expected = tail.last_seq + 1;
  std::string fault;
  if (!line.has_seq)
    line.ev.seq = expected;
  else if (line.ev.seq != expected)
    fault = "seq " + std::to_string(line.ev.seq) + " does not continue the sequence (expected " +
            std::to_string(expected) + ")";
  if (fault.empty() && line.ev.ts < tail.last_ts)
    fault = "ts " + format_time(line.ev.ts) + " is before the previous event's " +
            format_time(tail.last_ts);
  tail.last_seq = line.ev.seq;
  tail.last_ts = std::max(tail.last_ts, line.ev.ts);
  return fault;
}

} // namespace

status run_import(const std::string& db, const import_options& options, std::ostream& out) {
  auto log = open_for_writing(db);
  if (!log)
    return log.error();
  auto tail = read_tail(**log);
  if (!tail)
    return tail.error();
  const log_tail start = *tail;

  // Pass 1: validate every line; nothing is written unless all of them are good.
  std::vector<std::string> faults;
  uint64_t bad_lines = 0;
  log_tail running = start;
  auto validated = for_each_line(options.file, [&](uint64_t number, const std::string& text) {
    if (text.find("\"retained_from\"") != std::string::npos && text.find("\"type\"") == std::string::npos) {
      faults.push_back(options.file + ":" + std::to_string(number) +
                       ": an export of a trimmed history (retention): events before it were "
                       "folded into snapshots an export does not carry, so it cannot be imported");
      ++bad_lines;
      return true;
    }
    auto parsed = parse_event_line(text);
    std::string fault;
    if (!parsed) {
      fault = describe(parsed.error());
      running.last_seq += 1;  // assume the bad line held the next sequence, to keep checking
    } else {
      fault = check_order(*parsed, running);
    }
    if (!fault.empty() && ++bad_lines <= max_reported_faults)
      faults.push_back(options.file + ":" + std::to_string(number) + ": " + fault);
    return true;
  });
  if (!validated.ok())
    return validated;
  if (bad_lines != 0) {
    std::string message = std::to_string(bad_lines) + (bad_lines == 1 ? " bad line" : " bad lines") +
                          ", nothing imported:";
    for (const auto& fault : faults)
      message += "\n  " + fault;
    if (bad_lines > faults.size())
      message += "\n  … and " + std::to_string(bad_lines - faults.size()) + " more";
    return status{errc::invalid_argument, message};
  }

  // Pass 2: append in batches with the file's own sequences and timestamps.
  const uint64_t total = running.last_seq - start.last_seq;
  progress shown("import", total);
  std::vector<ev::event> batch;
  batch.reserve(options.batch_size);
  log_tail numbering = start;
  uint64_t appended = 0;
  status failure;
  const auto flush = [&]() {
    if (batch.empty())
      return true;
    failure = (*log)->append_exact(batch);
    if (!failure.ok())
      return false;
    appended += batch.size();
    batch.clear();
    return true;
  };
  auto written = for_each_line(options.file, [&](uint64_t number, const std::string& text) {
    auto parsed = parse_event_line(text);
    if (!parsed || !check_order(*parsed, numbering).empty()) {
      failure = status{errc::invalid_argument,
                       options.file + ":" + std::to_string(number) + " changed during import"};
      return false;
    }
    batch.push_back(std::move(parsed->ev));
    shown.tick();
    return batch.size() < options.batch_size || flush();
  });
  if (!written.ok())
    return written;
  if (failure.ok())
    flush();
  if (!failure.ok())
    return status{failure.error().code, describe(failure.error()) + " (" +
                                          std::to_string(appended) + " events were appended)"};
  if (auto flushed = (*log)->flush(); !flushed.ok())
    return flushed;
  out << "imported " << appended << " events";
  if (appended != 0)
    out << " (seq " << start.last_seq + 1 << ".." << start.last_seq + appended << ")";
  out << " into " << db << '\n';
  return status::success();
}

} // namespace presence::tools
