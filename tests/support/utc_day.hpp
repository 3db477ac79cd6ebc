#pragma once

#include <ctime>
#include <string>

namespace presence::test {

/// Today's UTC date as `YYYY-MM-DD` (the day admin.presence.report covers by default).
inline std::string today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

} // namespace presence::test
