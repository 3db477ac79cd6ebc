#include "rocketchat/rc_call.hpp"

#include <cstdio>
#include <ctime>
#include <utility>

#include <spdlog/spdlog.h>

#include "http/error_mapping.hpp"
#include "http/request_params.hpp"

namespace presence::api::rocketchat {

void rc_call::ok(nlohmann::json body) {
  body["success"] = true;
  send(200, body, false);
}

void rc_call::fail(int http_status, const std::string& message, const std::string& type) {
  send(http_status,
       {{"success", false}, {"error", message + " [" + type + "]"}, {"errorType", type}}, true);
}

void rc_call::fail(const http::rc_failure& failure) {
  send(failure.http_status,
       {{"success", false}, {"error", failure.error}, {"errorType", failure.error_type}}, true);
}

void rc_call::fail(const presence::error& err) {
  if (err.code == errc::busy) {
    busy();
    return;
  }
  if (http::is_internal(err.code))
    spdlog::error("rest method={} user={} engine error: {}", method, caller.id, describe(err));
  if (err.code == errc::unavailable) {
    // The user's cluster node is down: a retry reaches it once it is back.
    auto failure = http::to_rc_failure(err);
    send(failure.http_status,
         {{"success", false}, {"error", failure.error}, {"errorType", failure.error_type}}, true,
         {{"Retry-After", "1"}});
    return;
  }
  fail(http::to_rc_failure(err));
}

void rc_call::busy() {
  send(503,
       {{"success", false},
        {"error", "The server is busy, retry shortly [error-service-unavailable]"},
        {"errorType", "error-service-unavailable"}},
       true, {{"Retry-After", "1"}});
}

void rc_call::finish(const status& st) {
  if (st.ok())
    ok();
  else
    fail(st.error());
}

void rc_call::crashed(const char* what) {
  spdlog::error("rest method={} user={} unexpected exception: {}", method, caller.id, what);
  fail(500, "Internal server error", "error-internal");
}

std::optional<std::vector<events::preset>> rc_call::presets_or_fail() {
  auto presets = gw.engine.presets();
  if (!presets.ok()) {
    fail(presets.error());
    return std::nullopt;
  }
  return std::move(presets.value());
}

std::string rc_date(events::timestamp_us at) {
  auto seconds = static_cast<std::time_t>(at / 1'000'000);
  auto millis = static_cast<int>((at % 1'000'000) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

const char* rc_status(events::presence_value value) noexcept {
  switch (value) {
    case events::presence_value::online:
      return "online";
    case events::presence_value::away:
      return "away";
    case events::presence_value::busy:
      return "busy";
    case events::presence_value::disabled:
      return "disabled";
    default:
      return "offline";
  }
}

} // namespace presence::api::rocketchat
