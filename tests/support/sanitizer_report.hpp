#pragma once

// Finds a sanitizer report in what a child process (presenced, presencectl) wrote to stderr.
// Under ASan/UBSan/TSan builds a report in a child must fail the test that ran it, even when the
// test never looks at the child's exit code or the report comes while the child shuts down (LSan
// runs at exit). In a normal build the text never contains one, so the checks cost a string scan.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace presence::test {

/// The first sanitizer report in `text`, from its headline on (at most 6,000 characters), or ""
/// when there is none. Headlines: ASan and LSan errors, UBSan runtime errors, TSan warnings.
inline std::string sanitizer_report(const std::string& text) {
  static constexpr std::array<std::string_view, 4> headlines = {
    "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: ",
    "WARNING: ThreadSanitizer"};
  auto first = std::string::npos;
  for (auto headline : headlines)
    first = std::min(first, text.find(headline));
  if (first == std::string::npos)
    return {};
  auto line_start = text.rfind('\n', first);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  return text.substr(line_start, 6000);
}

} // namespace presence::test
