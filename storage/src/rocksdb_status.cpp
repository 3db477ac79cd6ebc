#include "rocksdb_status.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace presence::storage::detail {

namespace {

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  auto it =
    std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  return it != haystack.end();
}

bool is_no_space(const rocksdb::Status& st, std::string_view text) {
  if (st.IsNoSpace() || st.subcode() == rocksdb::Status::kSpaceLimit)
    return true;
  // Some paths wrap ENOSPC without keeping the subcode; strerror(ENOSPC) still names it.
  return contains_ignoring_case(text, "No space left on device");
}

bool is_lock_held(const rocksdb::Status& st, std::string_view text) {
  // POSIX env: "While lock file: DIR/LOCK: Resource temporarily unavailable" (another process)
  // or "lock hold by current process" (the same process opened it twice).
  return st.IsIOError() && contains_ignoring_case(text, "lock");
}

} // namespace

presence::error to_error(const rocksdb::Status& st, std::string_view context) {
  std::string text = st.ToString();
  std::string message;
  message.reserve(context.size() + text.size() + 2);
  message.append(context);
  message.append(": ");
  message.append(text);
  errc code = errc::storage_failure;
  if (is_no_space(st, text))
    code = errc::disk_full;
  else if (is_lock_held(st, text))
    code = errc::database_busy;
  else if (st.IsCorruption())
    code = errc::corrupt_record;
  return presence::error{code, std::move(message)};
}

presence::status to_status(const rocksdb::Status& st, std::string_view context) {
  if (st.ok())
    return presence::status::success();
  return to_error(st, context);
}

} // namespace presence::storage::detail
