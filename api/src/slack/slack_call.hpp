#pragma once

// One authenticated Web API call (Slack-compatible): {"ok":true,…} / {"ok":false,"error":…}.

#include <memory>
#include <optional>
#include <string>

#include "http/api_call.hpp"
#include "slack/slack_args.hpp"

namespace presence::api::slack {

class slack_call : public http::api_call {
 public:
  using http::api_call::api_call;

  /// Answers HTTP 200 {"ok":true, …body}. `body` must be an object.
  void ok(nlohmann::json body = nlohmann::json::object());
  /// Answers HTTP 200 {"ok":false,"error":code}; a non-empty `detail` goes into
  /// response_metadata.messages (as Slack does for argument errors).
  void fail(const std::string& code, const std::string& detail = {});
  /// Answers the Slack reading of an engine error (http::slack_error); internal errors are
  /// logged and answered without their details.
  void fail(const presence::error& err);
  /// Answers {"ok":true} for success, else `fail(st.error())`.
  void finish(const status& st);
  /// Answers HTTP 429 {"ok":false,"error":"ratelimited"} with `Retry-After: retry_after`.
  void ratelimited(int retry_after);
  /// Answers HTTP 503 {"ok":false,"error":"service_unavailable"} with Retry-After: 1.
  void busy() override;
  /// Answers fatal_error.
  void crashed(const char* what) override;

  /// The arguments in `args`, or nullopt after answering their refusal.
  template <class T>
  std::optional<T> accept(parsed<T> args) {
    if (const auto* err = std::get_if<arg_error>(&args)) {
      fail(err->code, err->detail);
      return std::nullopt;
    }
    return std::get<T>(std::move(args));
  }
};

using call_ptr = std::shared_ptr<slack_call>;

/// "active" for online and busy, "away" for everything else (Slack's two-valued view).
const char* slack_presence(events::presence_value value) noexcept;

} // namespace presence::api::slack
