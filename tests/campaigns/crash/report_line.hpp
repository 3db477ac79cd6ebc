#pragma once

// Helpers for the JSON lines a campaign prints: faults, output tails, elapsed milliseconds.

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace presence::crash {

using clock_type = std::chrono::steady_clock;

inline int64_t millis_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
}

/// Appends `what` (cut at 2000 characters) to the line's "faults".
inline void add_fault(nlohmann::json& line, const std::string& what) {
  line["faults"].push_back(what.size() > 2000 ? what.substr(0, 2000) + "…" : what);
}

/// The last `n` characters of a tool's or server's output.
inline std::string tail(const std::string& text, std::size_t n = 1500) {
  return text.size() <= n ? text : "…" + text.substr(text.size() - n);
}

} // namespace presence::crash
