// presencectl: inspect, audit and verify a presence database (docs/design.md §6).
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace {

using namespace presence::tools;

constexpr const char* time_help =
  "RFC 3339 (2026-11-21T10:00:00Z, offsets and fractions accepted) or Unix seconds";

/// Prints an error the way every verb does and gives the exit code for it.
int fail(const presence::error& err) {
  std::cerr << "presencectl: " << presence::describe(err) << '\n';
  return exit_error;
}

int finish(const presence::status& done) {
  return done.ok() ? exit_ok : fail(done.error());
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"presencectl: inspect, audit and verify a presence event log"};
  app.footer("Exit status: 0 success, 1 verify found faults, 2 any error (bad arguments, missing "
             "database, unknown user, bad import file, I/O).");
  app.require_subcommand(1);
  // `--db` may also follow the verb (`presencectl restore --from B --db NEW`).
  app.fallthrough();
  std::string db;
  app.add_option("--db", db, "database directory")->required();

  inspect_options inspect;
  auto* inspect_cmd = app.add_subcommand("inspect", "a user's state rebuilt from the log at an instant");
  inspect_cmd->add_option("user", inspect.user, "user id")->required();
  inspect_cmd->add_option("--at", inspect.at, std::string("instant (default now): ") + time_help);
  inspect_cmd->add_flag("--json", inspect.json, "print JSON");

  history_options history;
  auto* history_cmd = app.add_subcommand("history", "the audit timeline of a user (or $workspace)");
  history_cmd->add_option("user", history.user, "user id, or $workspace")->required();
  history_cmd->add_option("--since", history.since, std::string("from (inclusive): ") + time_help);
  history_cmd->add_option("--until", history.until, std::string("to (exclusive): ") + time_help);
  history_cmd->add_flag("--json", history.json, "JSON lines in the export format");

  log_options log;
  auto* log_cmd = app.add_subcommand("log", "the global log, by time or sequence range");
  auto* since = log_cmd->add_option("--since", log.since, std::string("from (inclusive): ") + time_help);
  auto* until = log_cmd->add_option("--until", log.until, std::string("to (exclusive): ") + time_help);
  auto* from_seq = log_cmd->add_option("--from-seq", log.from_seq, "first sequence");
  auto* to_seq = log_cmd->add_option("--to-seq", log.to_seq, "last sequence (inclusive)");
  for (auto* time_option : {since, until})
    for (auto* seq_option : {from_seq, to_seq})
      time_option->excludes(seq_option);
  log_cmd->add_option("--type", log.type, "only events of this type, e.g. presence_set");
  log_cmd->add_flag("--json", log.json, "JSON lines in the export format");

  auto* verify_cmd = app.add_subcommand(
    "verify", "decode every record; check sequences, indexes and snapshots (exit 1 on a fault)");

  stats_options stats;
  auto* stats_cmd = app.add_subcommand("stats", "events by type, streams, users, users online, size");
  stats_cmd->add_flag("--json", stats.json, "print JSON");

  export_options export_opts;
  auto* export_cmd = app.add_subcommand("export", "every event as JSON lines, oldest first");
  export_cmd->add_option("--out", export_opts.out, "write to this file instead of stdout");

  import_options import_opts;
  auto* import_cmd = app.add_subcommand(
    "import", "append a JSON-lines file (validated as a whole first; creates the database)");
  import_cmd->add_option("file", import_opts.file, "JSON-lines file (docs/export-format.md)")
    ->required();

  report_options report;
  auto* report_cmd = app.add_subcommand("report", "time spent in each presence on one UTC day");
  report_cmd->add_option("user", report.user, "user id")->required();
  report_cmd->add_option("--day", report.day, "YYYY-MM-DD (UTC)")->required();
  report_cmd->add_flag("--json", report.json, "print JSON");

  backup_options backup;
  auto* backup_cmd = app.add_subcommand(
    "backup", "back up a stopped database into a backup directory (incremental)");
  backup_cmd->add_option("--to", backup.to, "backup directory (created if missing)")->required();
  backup_cmd->add_flag("--json", backup.json, "print JSON");

  restore_options restore;
  auto* restore_cmd = app.add_subcommand(
    "restore", "restore a backup into --db, which must be a new or empty directory");
  restore_cmd->add_option("--from", restore.from, "backup directory")->required();
  restore_cmd->add_option("--id", restore.id, "backup id (default the newest)");
  restore_cmd->add_option("--until", restore.until,
                          std::string("keep only events before (exclusive): ") + time_help);

  retain_options retain;
  auto* retain_cmd = app.add_subcommand(
    "retain", "fold user events before a horizon into snapshots and delete them (stopped database)");
  auto* retain_before = retain_cmd->add_option(
    "--before", retain.before, std::string("horizon: ") + time_help);
  auto* retain_days = retain_cmd->add_option("--keep-days", retain.keep_days,
                                             "horizon: this many days before now");
  retain_before->excludes(retain_days);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    // CLI11 signals help and usage errors by exception; this is the one place they are caught.
    const int code = app.exit(err);
    return code == 0 ? exit_ok : exit_error;
  }

  std::ostream& out = std::cout;
  if (inspect_cmd->parsed())
    return finish(run_inspect(db, inspect, out));
  if (history_cmd->parsed())
    return finish(run_history(db, history, out));
  if (log_cmd->parsed())
    return finish(run_log(db, log, out));
  if (stats_cmd->parsed())
    return finish(run_stats(db, stats, out));
  if (export_cmd->parsed())
    return finish(run_export(db, export_opts, out));
  if (import_cmd->parsed())
    return finish(run_import(db, import_opts, out));
  if (backup_cmd->parsed())
    return finish(run_backup(db, backup, out));
  if (restore_cmd->parsed())
    return finish(run_restore(db, restore, out));
  if (retain_cmd->parsed())
    return finish(run_retain(db, retain, out));
  if (report_cmd->parsed())
    return finish(run_report(db, report, out));
  if (verify_cmd->parsed()) {
    auto summary = run_verify(db, out);
    if (!summary)
      return fail(summary.error());
    return summary->faults == 0 ? exit_ok : exit_faults;
  }
  return exit_error;
}
