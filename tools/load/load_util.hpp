#pragma once

// Small pieces of presence-load that are not about the run's phases: output, the open-files
// limit, and the tokens file.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace presence::load {

/// Prints one JSON object as a line of stdout and flushes.
void emit(const nlohmann::json& line);

/// Raises the soft open-files limit to the hard one; returns the limit now in force (0: unknown).
uint64_t raise_file_limit();

/// Raises the limit (raise_file_limit) and checks that `needed` descriptors fit; when they do
/// not, prints an `"error":"open-file limit"` line and returns false.
bool enough_open_files(uint64_t needed);

/// Reads the first `count` "id token" lines of `path` into `ids` and `tokens` (resized to
/// `count`); false when the file is missing or shorter.
bool read_tokens(const std::string& path, std::size_t count, std::vector<std::string>& ids,
                 std::vector<std::string>& tokens);

/// Writes "id token" lines for every non-empty token.
void write_tokens(const std::string& path, const std::vector<std::string>& ids,
                  const std::vector<std::string>& tokens);

} // namespace presence::load
