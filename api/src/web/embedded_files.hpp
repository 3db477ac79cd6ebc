#pragma once

// The web/ folder as compiled into the binary: `embedded_files.cpp` is generated at build time by
// cmake/embed_files.cmake from every file under web/.

#include <cstddef>
#include <string_view>

namespace presence::api::web {

/// One embedded file: its path relative to web/ ("index.html", "js/app.js") and its bytes.
struct embedded_file {
  std::string_view name;
  std::string_view bytes;
};

/// Every embedded file; the array lives as long as the program.
const embedded_file* embedded_files(std::size_t& count);

} // namespace presence::api::web
