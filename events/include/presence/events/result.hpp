#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace presence {

/// Every error code of the project. Plain C++ so the domain and storage need no CAF; the actor
/// layer registers this same enum with CAF (`CAF_ERROR_CODE_ENUM`) so codes cross actor
/// boundaries unchanged. Values start at 1 (0 means "no error" to CAF) and are never renumbered.
enum class errc : uint8_t {
  invalid_argument = 1,   ///< a malformed parameter that fits no more precise code
  invalid_user_id,        ///< not `[A-Za-z0-9._-]{1,64}`
  invalid_status_text,    ///< invalid UTF-8, a control character or markup
  invalid_emoji,          ///< not `:name:`
  expiration_in_past,     ///< an expiry at or before the current instant
  invalid_presence,       ///< an unknown presence or manual mode
  unknown_user,           ///< no such user in the workspace
  user_exists,            ///< a user with that id already exists
  user_deactivated,       ///< the user was deactivated
  invalid_setting,        ///< unknown setting key or a value out of range
  invalid_preset,         ///< preset name empty, too long or not unique
  unknown_preset,         ///< no such preset
  unknown_token,          ///< no such token
  connection_limit_exceeded, ///< the service cannot be turned on while at or above the limit
  unknown_connection,     ///< no open connection with that id
  corrupt_record,         ///< a stored record fails its checksum or cannot be decoded
  unsupported_version,    ///< a record or database written by a newer format version
  truncated_record,       ///< a record ends before its fields do
  unknown_event_type,     ///< a record names an event type this build does not know
  storage_failure,        ///< RocksDB reported an I/O or other failure
  disk_full,              ///< RocksDB reported no space left
  database_missing,       ///< the database directory does not exist (and creation was not asked)
  database_busy,          ///< another process holds the write lock
  read_only,              ///< a write on a database opened read-only or as a secondary
  out_of_order,           ///< sequence or timestamp going backwards where order is required
  timeout,                ///< an operation did not finish in time
  shutting_down,          ///< the engine is stopping
  not_admin,              ///< the caller lacks admin rights
  invalid_json,           ///< malformed JSON input (tools and API)
  token_revoked,          ///< the token was valid once and has been revoked
  resource_exhausted,     ///< memory ran out or a thread could not be started
  too_long,               ///< a profile field (status text, emoji) over its length limit
  not_a_bot,              ///< a bot-only operation aimed at a person's account
  user_is_bot,            ///< an operation bots cannot do (profile, status, forcing presence)
  busy,                   ///< a bounded queue for that kind of work is full: retry shortly
  before_retention,       ///< an instant before the retained history (older events were folded)
  unavailable,            ///< the cluster node that owns the user is down or unreachable: retry
  not_clustered,          ///< a cluster operation on a server that runs as a single node
};

/// Stable snake_case name of a code, e.g. "unknown_user".
const char* to_string(errc code) noexcept;

/// An error: a code plus a human-readable message naming what failed (a key, a line, a field).
struct error {
  errc code = errc::invalid_argument;
  std::string message;
};

/// A value or an error (a minimal `expected`). Fallible functions return it `[[nodiscard]]`.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : data_(std::move(value)) {}
  result(presence::error err) : data_(std::move(err)) {}
  result(errc code, std::string message = {}) : data_(presence::error{code, std::move(message)}) {}

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const presence::error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, presence::error> data_;
};

/// Success or an error, for functions with nothing to return.
class [[nodiscard]] status {
 public:
  status() = default;
  status(presence::error err) : err_(std::move(err)), failed_(true) {}
  status(errc code, std::string message = {}) : err_{code, std::move(message)}, failed_(true) {}

  static status success() { return {}; }
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const presence::error& error() const { return err_; }

 private:
  presence::error err_;
  bool failed_ = false;
};

/// "code: message" (just "code" when the message is empty), for logs and command-line tools.
std::string describe(const error& err);

} // namespace presence
