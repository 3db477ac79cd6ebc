#include "slack/slack_call.hpp"

#include <spdlog/spdlog.h>

#include "http/error_mapping.hpp"
#include "http/request_params.hpp"

namespace presence::api::slack {

void slack_call::ok(nlohmann::json body) {
  nlohmann::json out = {{"ok", true}};
  out.update(body);
  send(200, out, false);
}

void slack_call::fail(const std::string& code, const std::string& detail) {
  nlohmann::json out = {{"ok", false}, {"error", code}};
  if (!detail.empty())
    out["response_metadata"] = {{"messages", {detail}}};
  send(200, out, true);
}

void slack_call::fail(const presence::error& err) {
  if (err.code == errc::busy) {
    busy();
    return;
  }
  if (err.code == errc::unavailable) {
    // The user's cluster node is down: a retry reaches it once it is back.
    send(503,
         {{"ok", false}, {"error", "unavailable"}, {"response_metadata", {{"messages", {err.message}}}}},
         true, {{"Retry-After", "1"}});
    return;
  }
  if (http::is_internal(err.code)) {
    // Internal details (paths, storage messages) go to the log, not to the client.
    spdlog::error("api method={} user={} engine error: {}", method, caller.id, describe(err));
    fail(http::slack_error(err.code),
         err.code == errc::disk_full ? http::storage_full_detail : std::string{});
    return;
  }
  fail(http::slack_error(err.code), err.message);
}

void slack_call::ratelimited(int retry_after) {
  gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
  send(429, {{"ok", false}, {"error", "ratelimited"}}, true,
       {{"Retry-After", std::to_string(retry_after)}});
}

void slack_call::busy() {
  send(503, {{"ok", false}, {"error", "service_unavailable"}}, true, {{"Retry-After", "1"}});
}

void slack_call::finish(const status& st) {
  if (st.ok())
    ok();
  else
    fail(st.error());
}

void slack_call::crashed(const char* what) {
  spdlog::error("api method={} user={} unexpected exception: {}", method, caller.id, what);
  fail("fatal_error");
}

const char* slack_presence(events::presence_value value) noexcept {
  switch (value) {
    case events::presence_value::online:
    case events::presence_value::busy:
      return "active";
    default:
      return "away";
  }
}

} // namespace presence::api::slack
