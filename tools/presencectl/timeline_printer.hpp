#pragma once

#include <cstdint>
#include <iosfwd>

#include "presence/events/event.hpp"

namespace presence::tools {

/// Prints events either as a human-readable table (TIME, SEQ, TYPE, BY, VIA, FIELDS) or as JSON
/// lines in the export format. Not thread-safe; writes to the stream it was given.
class timeline_printer {
 public:
  timeline_printer(std::ostream& out, bool json) : out_(out), json_(json) {}

  /// Prints one event (the table header before the first one).
  void print(const events::event& ev);

  /// Ends the listing: in table form, a count line (or "no events").
  void finish();

  uint64_t count() const noexcept { return count_; }

 private:
  std::ostream& out_;
  bool json_;
  uint64_t count_ = 0;
};

} // namespace presence::tools
