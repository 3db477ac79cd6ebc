#pragma once

// The storage implementation uses the public layout helpers unqualified.
#include "presence/storage/record_layout.hpp"

namespace presence::storage::detail {
using namespace layout;
} // namespace presence::storage::detail
