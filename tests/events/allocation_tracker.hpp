#pragma once
// Test-only: the events_tests binary replaces global operator new to record the largest single
// allocation while tracking is on (proves a corrupt length prefix is never allocated).

#include <cstddef>

namespace presence::events::test {

/// Starts recording, forgetting what was seen before.
void start_allocation_tracking() noexcept;
/// Stops recording and returns the largest single `operator new` request seen since the start.
std::size_t stop_allocation_tracking() noexcept;

} // namespace presence::events::test
