// Kept in its own file: GCC's -Wmismatched-new-delete misfires when the replaced operators are
// visible in a file that also uses new-expressions.
#include "allocation_tracker.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> tracking{false};
std::atomic<std::size_t> largest{0};
} // namespace

void* operator new(std::size_t size) {
  if (tracking.load(std::memory_order_relaxed)) {
    std::size_t seen = largest.load(std::memory_order_relaxed);
    while (size > seen && !largest.compare_exchange_weak(seen, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace presence::events::test {

void start_allocation_tracking() noexcept {
  largest = 0;
  tracking = true;
}

std::size_t stop_allocation_tracking() noexcept {
  tracking = false;
  return largest.load();
}

} // namespace presence::events::test
