// Percentiles of latency samples, and the RSS of another process.
#include "latency.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace presence::load {

double latency_recorder::percentile_ms(double fraction) {
  if (samples_.empty())
    return 0;
  if (sorted_ != samples_.size()) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = samples_.size();
  }
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples_.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples_.size());
  return std::round(samples_[rank - 1] / 10.0) / 100.0; // µs -> ms, two decimals
}

uint64_t process_rss_bytes(int pid) {
  if (pid <= 0)
    return 0;
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6)) * 1024; // "VmRSS:   123456 kB"
  return 0;
}

} // namespace presence::load
