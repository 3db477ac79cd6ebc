#pragma once

// The log of presenced: spdlog's default logger, to standard error or a file, as text or as JSON
// lines (`{"ts":"2026-12-06T04:31:43.120+00:00","level":"info","msg":"..."}`: the same three
// fields as a text line `TS LEVEL MSG`).

#include <string>

#include "presence/events/result.hpp"

namespace presence::api::config {

/// Where and how presenced logs.
struct log_settings {
  std::string level = "info";  ///< spdlog level name
  std::string file;            ///< empty = standard error
  bool json = false;           ///< one JSON object per line instead of text
};

/// Installs the default logger. Call once, before any other thread logs. Error:
/// `storage_failure` naming the file when it cannot be opened for appending.
[[nodiscard]] status setup_logging(const log_settings& settings);

/// Opens the log file's name again and switches to it (after logrotate moved the old file);
/// nothing when logging to standard error. Thread-safe. Error: `storage_failure` naming the
/// file (logging then goes on to the old file).
[[nodiscard]] status reopen_log_file();

} // namespace presence::api::config
