#include "rocketchat/rc_api.hpp"

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "http/error_mapping.hpp"
#include "http/request_params.hpp"
#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

using handler_fn = void (*)(const call_ptr&);

struct endpoint {
  const char* name;
  const char* verb;
  handler_fn handler;
  bool admin_only;  ///< Rocket.Chat's manage-user-status permission
};

constexpr endpoint endpoints[] = {
  {"users.setStatus", "POST", users_set_status, false},
  {"users.getStatus", "GET", users_get_status, false},
  {"users.presence", "GET", users_presence, false},
  {"users.setPreferences", "POST", users_set_preferences, false},
  {"users.getPreferences", "GET", users_get_preferences, false},
  {"custom-user-status.list", "GET", custom_user_status_list, false},
  {"custom-user-status.create", "POST", custom_user_status_create, true},
  {"custom-user-status.update", "POST", custom_user_status_update, true},
  {"custom-user-status.delete", "POST", custom_user_status_delete, true},
  {"presence.getConnections", "GET", presence_get_connections, true},
  {"presence.enableBroadcast", "POST", presence_enable_broadcast, true},
  // Rocket.Chat's admin switch (settings/:_id); other settings are not served.
  {"settings/Troubleshoot_Disable_Presence_Broadcast", "GET", settings_get_disable_broadcast, true},
  {"settings/Troubleshoot_Disable_Presence_Broadcast", "POST", settings_set_disable_broadcast,
   true},
};

void early(http::gateway& gw, const http::reply_fn& reply, int status, nlohmann::json body,
           std::vector<std::pair<std::string, std::string>> headers = {}) {
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  body["success"] = false;
  http::api_reply out;
  out.status = status;
  out.body = http::dump_json(body);
  out.headers = std::move(headers);
  reply(std::move(out));
}

void failure(http::gateway& gw, const http::reply_fn& reply, int status, const std::string& message,
             const std::string& type) {
  early(gw, reply, status, {{"error", message + " [" + type + "]"}, {"errorType", type}});
}

void unauthorized(http::gateway& gw, const http::reply_fn& reply) {
  // Rocket.Chat's own 401 body, plus `error`/`errorType` like its other failures.
  early(gw, reply, 401,
        {{"status", "error"},
         {"message", "You must be logged in to do this."},
         {"error", "You must be logged in to do this."},
         {"errorType", "unauthorized"}});
}

void too_many_requests(http::gateway& gw, const http::reply_fn& reply, int wait) {
  gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
  early(gw, reply, 429,
        {{"error", "Error, too many requests. Please slow down. You must wait " +
                     std::to_string(wait) +
                     " seconds before trying this endpoint again. [error-too-many-requests]"},
         {"errorType", "error-too-many-requests"}},
        {{"Retry-After", std::to_string(wait)}});
}

} // namespace

void handle(http::gateway& gw, const std::string& method, const http::api_request& req,
            http::reply_fn reply) {
  // An endpoint may answer more than one verb (one entry each): the entry of this verb, else the
  // verbs it answers for the 405.
  const endpoint* found = nullptr;
  std::string verbs;
  for (const auto& e : endpoints) {
    if (method != e.name)
      continue;
    verbs += (verbs.empty() ? "" : " or ") + std::string(e.verb);
    if (found == nullptr || req.method == e.verb)
      found = &e;
  }
  if (found == nullptr) {
    early(gw, reply, 404,
          {{"status", "error"},
           {"message", "API endpoint \"/api/v1/" + method + "\" does not exist"},
           {"error", "API endpoint \"/api/v1/" + method + "\" does not exist"}});
    return;
  }
  if (req.method != found->verb) {
    failure(gw, reply, 405, "Use " + verbs + " for " + found->name,
            "error-method-not-allowed");
    return;
  }
  if (req.auth_token.empty() || req.user_id.empty()) {
    unauthorized(gw, reply);
    return;
  }
  if (int wait = gw.auth_attempt(req.client_address); wait > 0) {
    too_many_requests(gw, reply, wait);
    return;
  }
  // The headers are checked before the body is parsed: an unauthenticated body costs nothing.
  gw.auth.authenticate(req.auth_token, [&gw, found, req, reply = std::move(reply)](
                                         result<identity> who) mutable {
    // The token must belong to the user the request names, and that user must be active.
    if (!who.ok() && http::is_pool_full(who.error())) {
      gw.auth_succeeded(req.client_address);  // nothing was looked up
      early(gw, reply, 503,
            {{"error", "The server is busy, retry shortly [error-service-unavailable]"},
             {"errorType", "error-service-unavailable"}},
            {{"Retry-After", "1"}});
      return;
    }
    if (!who.ok() || who->user.id != req.user_id || !who->user.active) {
      if (!who.ok() && http::is_internal(who.error().code)) {
        failure(gw, reply, 500, "Internal server error", "error-internal");
        return;
      }
      if (!who.ok() || who->user.id != req.user_id)
        gw.auth_failed(req.client_address, "unauthorized");
      else
        gw.auth_succeeded(req.client_address);  // a real token of an inactive user
      unauthorized(gw, reply);
      return;
    }
    gw.auth_succeeded(req.client_address);
    if (int wait = gw.limiter.acquire(req.auth_token, http::gateway::monotonic_seconds());
        wait > 0) {
      too_many_requests(gw, reply, wait);
      return;
    }
    auto params = http::collect_params(req.query, req.content_type, req.body);
    if (!params.ok()) {
      failure(gw, reply, 400, params.error().message,
              params.error().code == errc::invalid_json ? "error-invalid-json"
                                                        : "error-invalid-params");
      return;
    }
    if (found->admin_only && !who->user.admin) {
      failure(gw, reply, 403, "User does not have the permissions required for this action",
              "error-not-allowed");
      return;
    }
    auto call = std::make_shared<rc_call>(gw, found->name, std::move(*params),
                                          std::move(who->user), req.host, std::move(reply));
    call->token_secret = req.auth_token;
    call->token_id = std::move(who->token_id);
    call->address = req.client_address;
    try {
      found->handler(call);
    } catch (const std::exception& e) {
      call->crashed(e.what());
    }
  });
}

} // namespace presence::api::rocketchat
