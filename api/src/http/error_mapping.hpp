#pragma once

// How a presence::error reads to a Slack client (an `error` code in an HTTP 200 body) and to a
// Rocket.Chat client (an HTTP status, a message and an `errorType`). Pure functions.

#include <string>

#include "presence/events/result.hpp"

namespace presence::api::http {

/// Slack's code for `code` in the Web API, e.g. unknown_user -> "user_not_found",
/// invalid_status_text -> "invalid_profile", storage_failure -> "fatal_error",
/// disk_full -> "storage_full" (the write was refused and not stored; retry later).
/// Context-specific codes (`invalid_auth`, `token_revoked`…) are chosen by the caller.
const char* slack_error(errc code) noexcept;

/// The text a client gets for `disk_full` (Slack's `response_metadata`, Rocket.Chat's `error`):
/// fixed, so no path or storage message leaks.
extern const char* const storage_full_detail;

/// A Rocket.Chat failure: HTTP status (400, 403, 404, 500 or 507), `error` text and `errorType`.
struct rc_failure {
  int http_status = 400;
  std::string error;
  std::string error_type;
};

/// Rocket.Chat's reading of `err`: `error` is "<message> [<errorType>]" as Rocket.Chat writes it,
/// e.g. unknown_user -> 400 "error-invalid-user", not_admin -> 403 "error-not-allowed",
/// storage_failure -> 500 "error-internal", disk_full -> 507 "error-storage-full".
rc_failure to_rc_failure(const presence::error& err);

/// True for codes that mean the server failed rather than the request (storage, timeouts…).
bool is_internal(errc code) noexcept;

} // namespace presence::api::http
