#include "presence/events/result.hpp"

namespace presence {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::invalid_user_id:
      return "invalid_user_id";
    case errc::invalid_status_text:
      return "invalid_status_text";
    case errc::invalid_emoji:
      return "invalid_emoji";
    case errc::expiration_in_past:
      return "expiration_in_past";
    case errc::invalid_presence:
      return "invalid_presence";
    case errc::unknown_user:
      return "unknown_user";
    case errc::user_exists:
      return "user_exists";
    case errc::user_deactivated:
      return "user_deactivated";
    case errc::invalid_setting:
      return "invalid_setting";
    case errc::invalid_preset:
      return "invalid_preset";
    case errc::unknown_preset:
      return "unknown_preset";
    case errc::unknown_token:
      return "unknown_token";
    case errc::connection_limit_exceeded:
      return "connection_limit_exceeded";
    case errc::unknown_connection:
      return "unknown_connection";
    case errc::corrupt_record:
      return "corrupt_record";
    case errc::unsupported_version:
      return "unsupported_version";
    case errc::truncated_record:
      return "truncated_record";
    case errc::unknown_event_type:
      return "unknown_event_type";
    case errc::storage_failure:
      return "storage_failure";
    case errc::disk_full:
      return "disk_full";
    case errc::database_missing:
      return "database_missing";
    case errc::database_busy:
      return "database_busy";
    case errc::read_only:
      return "read_only";
    case errc::out_of_order:
      return "out_of_order";
    case errc::timeout:
      return "timeout";
    case errc::shutting_down:
      return "shutting_down";
    case errc::not_admin:
      return "not_admin";
    case errc::invalid_json:
      return "invalid_json";
    case errc::token_revoked:
      return "token_revoked";
    case errc::resource_exhausted:
      return "resource_exhausted";
    case errc::too_long:
      return "too_long";
    case errc::not_a_bot:
      return "not_a_bot";
    case errc::user_is_bot:
      return "user_is_bot";
    case errc::busy:
      return "busy";
    case errc::before_retention:
      return "before_retention";
    case errc::unavailable:
      return "unavailable";
    case errc::not_clustered:
      return "not_clustered";
  }
  // A value outside the enumerators (e.g. decoded from a foreign peer).
  return "unknown_error";
}

std::string describe(const error& err) {
  std::string out = to_string(err.code);
  if (!err.message.empty()) {
    out += ": ";
    out += err.message;
  }
  return out;
}

} // namespace presence
