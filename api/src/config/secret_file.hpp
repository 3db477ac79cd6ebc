#pragma once

// Files that hold secrets (the admin token) and the data directory they live in, opened so that a
// symbolic link planted in their place is refused rather than followed.

#include <string>

#include "presence/events/result.hpp"

namespace presence::api::config {

/// The first line of the file at `path` (trailing spaces and CR removed), opened with O_NOFOLLOW:
/// `storage_failure` naming the path when it cannot be read, is a symbolic link, or is larger
/// than 4 KiB. An empty string when it does not exist.
result<std::string> read_secret_file(const std::string& path);

/// Writes `secret` and a newline to `path` with mode 0600 (also when it existed) and fsyncs it.
/// Opened with O_NOFOLLOW: a symbolic link there is `storage_failure`, nothing is written.
status write_secret_file(const std::string& path, const std::string& secret);

/// Creates the data directory `dir` (and its parents) with mode 0700 when it does not exist.
/// `warning` is set when an existing one is readable, writable or searchable by group or others.
/// Errors: `storage_failure` naming the path.
status prepare_data_dir(const std::string& dir, std::string& warning);

} // namespace presence::api::config
