#include "progress.hpp"

#include <cstdio>
#include <unistd.h>
#include <utility>

namespace presence::tools {

progress::progress(std::string label, uint64_t total, uint64_t step)
  : label_(std::move(label)), total_(total), step_(step == 0 ? 1 : step),
    enabled_(::isatty(STDERR_FILENO) == 1) {
}

progress::~progress() {
  if (enabled_ && done_ >= step_)
    std::fprintf(stderr, "\r\033[K");
}

void progress::draw() const {
  if (total_ != 0)
    std::fprintf(stderr, "\r%s: %llu/%llu (%llu%%)", label_.c_str(),
                 static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                 static_cast<unsigned long long>(done_ * 100 / total_));
  else
    std::fprintf(stderr, "\r%s: %llu", label_.c_str(), static_cast<unsigned long long>(done_));
  std::fflush(stderr);
}

} // namespace presence::tools
