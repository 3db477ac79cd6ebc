#pragma once

// One authenticated REST call (Rocket.Chat-compatible): {"success":true,…} or
// {"success":false,"error":…,"errorType":…} with Rocket.Chat's HTTP statuses.

#include <memory>
#include <optional>
#include <string>

#include "http/api_call.hpp"

namespace presence::api::rocketchat {

class rc_call : public http::api_call {
 public:
  using http::api_call::api_call;

  /// Answers HTTP 200 {…body, "success":true}. `body` must be an object.
  void ok(nlohmann::json body = nlohmann::json::object());
  /// Answers {"success":false,"error":"<message> [<type>]","errorType":type} with `http_status`.
  void fail(int http_status, const std::string& message, const std::string& type);
  /// Answers Rocket.Chat's reading of an engine error (http::to_rc_failure).
  void fail(const presence::error& err);
  /// Answers {"success":true} for success, else `fail(st.error())`.
  void finish(const status& st);
  /// Answers HTTP 500.
  void crashed(const char* what) override;

  /// The user this call acts on: `param` (e.g. "userId") or the caller. When it names someone
  /// else and the caller is not an admin, answers 403 and returns nullopt.
  std::optional<std::string> target_user(const char* param);
};

using call_ptr = std::shared_ptr<rc_call>;

/// Rocket.Chat's status names: online, away, busy, offline, disabled.
const char* rc_status(events::presence_value value) noexcept;

/// online -> auto, away -> away, busy -> busy, offline -> invisible; nullopt for anything else.
std::optional<events::manual_mode> manual_from_rc(const std::string& status) noexcept;

/// A custom status type: online, away, busy or offline; nullopt for anything else.
std::optional<events::presence_value> preset_presence_from_rc(const std::string& type) noexcept;

} // namespace presence::api::rocketchat
