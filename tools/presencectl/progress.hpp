#pragma once

#include <cstdint>
#include <string>

namespace presence::tools {

/// Progress of a long run on stderr, only when stderr is a terminal (never in pipes, files or
/// tests). Redraws one line at most every `step` items and clears it when done. Single-threaded.
class progress {
 public:
  /// `total` 0 = unknown.
  progress(std::string label, uint64_t total, uint64_t step = 50'000);
  ~progress();
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;

  /// Counts one item.
  void tick() {
    if (enabled_ && ++done_ % step_ == 0)
      draw();
  }

 private:
  void draw() const;

  std::string label_;
  uint64_t total_;
  uint64_t step_;
  uint64_t done_ = 0;
  bool enabled_;
};

} // namespace presence::tools
