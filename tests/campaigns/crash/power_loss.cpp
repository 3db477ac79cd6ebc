#include "power_loss.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace presence::crash {

namespace {

namespace fs = std::filesystem;

/// The durable state of one path as the replay goes.
struct durable_file {
  bool entry_durable = false;  ///< the directory entry survives a power loss
  int64_t size = -1;           ///< bytes that survive; -1 = none were ever synced
  bool renamed_unsynced = false;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t'))
    fields.push_back(field);
  return fields;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string{} : path.substr(0, slash);
}

int64_t to_size(const std::string& text) {
  return static_cast<int64_t>(std::stoll(text));
}

/// Replays one side-log line into `files`; false when the line is malformed.
bool replay(const std::vector<std::string>& f, std::map<std::string, durable_file>& files,
            power_loss_report& report) {
  if (f.empty())
    return false;
  const std::string& op = f[0];
  if (op == "open" && f.size() == 5) {
    if (files.count(f[4]) != 0)
      return true;  // opened again in the same run: its durable state is already known
    durable_file file;
    if (f[1] == "1") {
      file.entry_durable = true;
      file.size = f[3] == "1" ? 0 : to_size(f[2]);
      if (f[3] == "1" && to_size(f[2]) > 0)
        report.notes.push_back("an existing file was truncated by O_TRUNC: " + f[4]);
    }
    files[f[4]] = file;
    return true;
  }
  if (op == "sync" && f.size() == 3) {
    auto it = files.find(f[2]);
    if (it == files.end())  // synced through a descriptor opened read-only: it existed before
      it = files.emplace(f[2], durable_file{true, -1, false}).first;
    it->second.size = to_size(f[1]);
    return true;
  }
  if (op == "dirsync" && f.size() == 2) {
    for (auto& [path, file] : files)
      if (parent_of(path) == f[1]) {
        file.entry_durable = true;
        file.renamed_unsynced = false;
      }
    return true;
  }
  if (op == "rename" && f.size() == 4) {
    durable_file moved{true, to_size(f[1]), false};
    if (auto it = files.find(f[2]); it != files.end()) {
      moved = it->second;
      files.erase(it);
    }
    moved.entry_durable = true;
    moved.renamed_unsynced = true;
    files[f[3]] = moved;
    return true;
  }
  if (op == "unlink" && f.size() == 2) {
    files.erase(f[1]);
    return true;
  }
  return false;
}

} // namespace

bool drop_unsynced(const std::string& log_path, power_loss_report& report, std::string& error) {
  std::ifstream in(log_path);
  if (!in) {
    // No side log: the process never opened a watched file for writing (killed very early).
    return true;
  }
  std::map<std::string, durable_file> files;
  for (std::string line; std::getline(in, line);) {
    if (line.empty())
      continue;
    ++report.log_lines;
    // A torn last line cannot happen (one write(2) per line), so a bad line is a shim bug.
    try {
      if (!replay(split_tabs(line), files, report)) {
        error = "malformed side-log line: " + line;
        return false;
      }
    } catch (const std::exception& e) {
      error = "malformed side-log line: " + line + " (" + e.what() + ")";
      return false;
    }
  }
  in.close();
  for (const auto& [path, file] : files) {
    std::error_code ec;
    auto status = fs::symlink_status(path, ec);
    if (ec || !fs::is_regular_file(status))
      continue;  // gone (removed later in the run) or a directory
    auto size = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec) {
      error = "cannot stat " + path + ": " + ec.message();
      return false;
    }
    if (file.renamed_unsynced)
      ++report.renames_unsynced;
    if (!file.entry_durable) {
      fs::remove(path, ec);
      if (ec) {
        error = "cannot remove " + path + ": " + ec.message();
        return false;
      }
      ++report.files_removed;
      report.bytes_dropped += static_cast<uint64_t>(size);
      continue;
    }
    const int64_t keep = file.size < 0 ? 0 : file.size;
    if (size < keep) {
      report.notes.push_back(path + " is " + std::to_string(size) + " bytes, below its synced " +
                             std::to_string(keep));
      continue;
    }
    if (size == keep)
      continue;
    fs::resize_file(path, static_cast<std::uintmax_t>(keep), ec);
    if (ec) {
      error = "cannot truncate " + path + ": " + ec.message();
      return false;
    }
    ++(file.size < 0 ? report.files_emptied : report.files_truncated);
    report.bytes_dropped += static_cast<uint64_t>(size - keep);
  }
  std::ofstream reset(log_path, std::ios::trunc);
  return true;
}

} // namespace presence::crash
