#pragma once

// Emulates a power loss on a directory after the process that wrote it was killed: replays the
// side log of fsync_shim (see fsync_shim.cpp for its lines) and throws away everything that was
// not made durable, as a file system would lose it when the machine loses power.

#include <cstdint>
#include <string>
#include <vector>

namespace presence::crash {

/// What `drop_unsynced` did.
struct power_loss_report {
  std::size_t log_lines = 0;         ///< side-log lines replayed
  std::size_t files_truncated = 0;   ///< files cut back to their last synced size
  std::size_t files_removed = 0;     ///< files created but whose directory entry was never synced
  std::size_t files_emptied = 0;     ///< files whose entry was synced but whose data never was
  std::size_t renames_unsynced = 0;  ///< renames not followed by a directory sync (kept: a legal outcome)
  uint64_t bytes_dropped = 0;        ///< bytes removed in all
  std::vector<std::string> notes;    ///< anything odd (a file smaller than its synced size, …)
};

/// Applies the model to the files named in the side log at `log_path`, then truncates the side log
/// (the next run starts from what is left, all of it durable). The model, per path:
/// - a file that existed before the run keeps its directory entry; one created in the run keeps
///   it only if its parent directory was fsynced after the creation (otherwise it is removed);
/// - a file's data is kept up to the size at its last fsync/fdatasync (or its size when the run
///   first opened it); the rest is cut off (a file with a durable entry but no synced data is
///   emptied);
/// - a rename is kept (a power loss may or may not keep an unsynced rename; both are legal) and
///   carries the durable state of the source to the target; an unlink is kept.
/// Returns false (with `error`) when the side log cannot be read or a file cannot be changed.
bool drop_unsynced(const std::string& log_path, power_loss_report& report, std::string& error);

} // namespace presence::crash
