#include "http/error_mapping.hpp"

namespace presence::api::http {

const char* const storage_full_detail =
  "The server's storage is full: nothing was saved. Retry once space is freed.";

bool is_internal(errc code) noexcept {
  switch (code) {
    case errc::corrupt_record:
    case errc::unsupported_version:
    case errc::truncated_record:
    case errc::unknown_event_type:
    case errc::storage_failure:
    case errc::disk_full:
    case errc::database_missing:
    case errc::database_busy:
    case errc::read_only:
    case errc::out_of_order:
    case errc::timeout:
    case errc::shutting_down:
    case errc::resource_exhausted:
      return true;
    default:
      return false;
  }
}

const char* slack_error(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
    case errc::before_retention:
      return "invalid_arguments";
    case errc::invalid_user_id:
    case errc::unknown_user:
      return "user_not_found";
    case errc::invalid_status_text:
    case errc::invalid_emoji:
      return "invalid_profile";
    case errc::too_long:
      return "too_long";
    case errc::not_a_bot:
      return "not_a_bot";
    case errc::user_is_bot:
      return "user_is_bot";
    case errc::expiration_in_past:
      return "expiration_in_past";
    case errc::invalid_presence:
      return "invalid_presence";
    case errc::user_exists:
      return "already_in_team";
    case errc::user_deactivated:
      return "account_inactive";
    case errc::invalid_setting:
      return "invalid_setting";
    case errc::invalid_preset:
      return "invalid_preset";
    case errc::unknown_preset:
      return "preset_not_found";
    case errc::unknown_token:
      return "token_not_found";
    case errc::token_revoked:
      return "token_revoked";
    case errc::connection_limit_exceeded:
      return "connection_limit_exceeded";
    case errc::unknown_connection:
      return "connection_not_found";
    case errc::not_admin:
      return "not_admin";
    case errc::invalid_json:
      return "invalid_json";
    case errc::shutting_down:
    case errc::busy:
      return "service_unavailable";
    case errc::unavailable:
      return "unavailable";
    case errc::not_clustered:
      return "not_clustered";
    case errc::disk_full:
      return "storage_full";
    default:
      return "fatal_error";
  }
}

namespace {

rc_failure bad_request(const std::string& message, const char* type) {
  return {400, message + " [" + type + "]", type};
}

} // namespace

rc_failure to_rc_failure(const presence::error& err) {
  switch (err.code) {
    case errc::unknown_user:
    case errc::invalid_user_id:
      return bad_request("The required \"userId\" or \"username\" param provided does not match any users",
                         "error-invalid-user");
    case errc::invalid_presence:
      return bad_request("Valid status types include online, away, offline, and busy.",
                         "error-invalid-status");
    case errc::invalid_status_text:
    case errc::invalid_emoji:
    case errc::too_long:
      return bad_request("Invalid status message: " + err.message, "error-invalid-message");
    case errc::expiration_in_past:
      return bad_request("The expiration is in the past", "error-invalid-expiration");
    case errc::user_exists:
      return bad_request("The user already exists", "error-user-already-exists");
    case errc::user_deactivated:
      return bad_request("The user is deactivated", "error-user-deactivated");
    case errc::invalid_setting:
      return bad_request("Invalid setting: " + err.message, "error-invalid-setting");
    case errc::invalid_preset:
      return bad_request("Invalid custom status name: " + err.message,
                         "error-invalid-custom-user-status-name");
    case errc::unknown_preset:
      return bad_request("Custom user status not found", "error-invalid-custom-user-status");
    case errc::connection_limit_exceeded:
      return bad_request("The connection count is still at or above the limit",
                         "error-connection-limit-exceeded");
    case errc::not_admin:
      return {403, "User does not have the permissions required for this action [error-not-allowed]",
              "error-not-allowed"};
    case errc::invalid_json:
      return bad_request("Invalid JSON body", "error-invalid-json");
    case errc::user_is_bot:
    case errc::not_a_bot:
      return bad_request(err.message, "error-not-allowed");
    case errc::invalid_argument:
    case errc::before_retention:
      return bad_request(err.message.empty() ? "Invalid parameters" : err.message,
                         "error-invalid-params");
    case errc::unavailable:
      return {503, "The cluster node of that user is unavailable, retry shortly [error-unavailable]",
              "error-unavailable"};
    case errc::not_clustered:
      return bad_request("This server runs as a single node", "error-not-clustered");
    case errc::disk_full:
      // 507 Insufficient Storage (RFC 4918): the server could not store what the request needs.
      return {507, std::string{storage_full_detail} + " [error-storage-full]", "error-storage-full"};
    default:
      return {500, "Internal server error [error-internal]", "error-internal"};
  }
}

} // namespace presence::api::http
