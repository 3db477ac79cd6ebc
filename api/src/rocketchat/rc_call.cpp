#include "rocketchat/rc_call.hpp"

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

void rc_call::fail(const presence::error& err) {
  auto failure = http::to_rc_failure(err);
  if (http::is_internal(err.code))
    spdlog::error("rest method={} user={} engine error: {}", method, caller.id, describe(err));
  send(failure.http_status,
       {{"success", false}, {"error", failure.error}, {"errorType", failure.error_type}}, true);
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

std::optional<std::string> rc_call::target_user(const char* param) {
  auto user = http::param_string(params, param);
  if (!user || user->empty() || *user == caller.id)
    return caller.id;
  if (!caller.admin) {
    fail(403, "User does not have the permissions required for this action", "error-not-allowed");
    return std::nullopt;
  }
  return user;
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

std::optional<events::manual_mode> manual_from_rc(const std::string& status) noexcept {
  if (status == "online")
    return events::manual_mode::automatic;
  if (status == "away")
    return events::manual_mode::away;
  if (status == "busy")
    return events::manual_mode::busy;
  if (status == "offline")
    return events::manual_mode::invisible;
  return std::nullopt;
}

std::optional<events::presence_value> preset_presence_from_rc(const std::string& type) noexcept {
  if (type == "online")
    return events::presence_value::online;
  if (type == "away")
    return events::presence_value::away;
  if (type == "busy")
    return events::presence_value::busy;
  if (type == "offline")
    return events::presence_value::offline;
  return std::nullopt;
}

} // namespace presence::api::rocketchat
