#pragma once

// One authenticated REST call (Rocket.Chat-compatible): {"success":true,…} or
// {"success":false,"error":…,"errorType":…} with Rocket.Chat's HTTP statuses.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/api_call.hpp"
#include "http/error_mapping.hpp"
#include "rocketchat/rc_args.hpp"

namespace presence::api::rocketchat {

class rc_call : public http::api_call {
 public:
  using http::api_call::api_call;

  /// Answers HTTP 200 {…body, "success":true}. `body` must be an object.
  void ok(nlohmann::json body = nlohmann::json::object());
  /// Answers {"success":false,"error":"<message> [<type>]","errorType":type} with `http_status`.
  void fail(int http_status, const std::string& message, const std::string& type);
  /// Answers `failure` as it is.
  void fail(const http::rc_failure& failure);
  /// Answers Rocket.Chat's reading of an engine error (http::to_rc_failure).
  void fail(const presence::error& err);
  /// Answers {"success":true} for success, else `fail(st.error())`.
  void finish(const status& st);
  /// Answers HTTP 503 error-service-unavailable with Retry-After: 1.
  void busy() override;
  /// Answers HTTP 500.
  void crashed(const char* what) override;
  /// Every preset, or nullopt after answering the engine's error. Blocking: on the blocking pool.
  std::optional<std::vector<events::preset>> presets_or_fail();

  /// The arguments in `args`, or nullopt after answering their refusal.
  template <class T>
  std::optional<T> accept(parsed<T> args) {
    if (const auto* failure = std::get_if<http::rc_failure>(&args)) {
      fail(*failure);
      return std::nullopt;
    }
    return std::get<T>(std::move(args));
  }
};

using call_ptr = std::shared_ptr<rc_call>;

/// An instant as Rocket.Chat writes dates in REST answers: ISO 8601 UTC with milliseconds,
/// e.g. `2021-09-26T14:03:43.057Z`.
std::string rc_date(events::timestamp_us at);

/// Rocket.Chat's status names: online, away, busy, offline, disabled.
const char* rc_status(events::presence_value value) noexcept;

} // namespace presence::api::rocketchat
