#include "slack/slack_api.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "http/error_mapping.hpp"
#include "http/request_params.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

using handler_fn = void (*)(const call_ptr&);

struct method_entry {
  const char* name;
  handler_fn handler;
  bool admin_only;
};

constexpr method_entry method_table[] = {
  {"auth.test", auth_test, false},
  {"users.setPresence", users_set_presence, false},
  {"users.getPresence", users_get_presence, false},
  {"users.setActive", users_set_active, false},
  {"users.profile.set", users_profile_set, false},
  {"users.profile.get", users_profile_get, false},
  {"users.prefs.set", users_prefs_set, false},
  {"users.prefs.get", users_prefs_get, false},
  {"rtm.connect", rtm_connect, false},
  {"users.list", users_list, false},
  {"users.info", users_info, false},
  {"admin.users.create", admin_users_create, true},
  {"admin.users.deactivate", admin_users_deactivate, true},
  {"admin.users.setAlwaysActive", admin_users_set_always_active, true},
  {"admin.tokens.issue", admin_tokens_issue, true},
  {"admin.tokens.revoke", admin_tokens_revoke, true},
  {"admin.settings.get", admin_settings_get, true},
  {"admin.settings.set", admin_settings_set, true},
  {"admin.presence.enable", admin_presence_enable, true},
  {"admin.presence.disable", admin_presence_disable, true},
  {"admin.presence.report", admin_presence_report, true},
  {"admin.presets.list", admin_presets_list, true},
  {"users.presets.list", admin_presets_list, false},  // the same list, for every user
  {"admin.presets.create", admin_presets_create, true},
  {"admin.presets.update", admin_presets_update, true},
  {"admin.presets.delete", admin_presets_delete, true},
  {"admin.backups.create", admin_backups_create, true},
  {"admin.backups.list", admin_backups_list, true},
  {"admin.cluster.info", admin_cluster_info, true},
  {"admin.cluster.locate", admin_cluster_locate, true},
};

const method_entry* find_method(const std::string& name) {
  for (const auto& m : method_table)
    if (name == m.name)
      return &m;
  return nullptr;
}

/// An answer before any call object exists (unknown method, bad parameters, failed auth).
void early_error(http::gateway& gw, const http::reply_fn& reply, const std::string& code,
                 const std::string& detail = {}, int status = 200,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  nlohmann::json body = {{"ok", false}, {"error", code}};
  if (!detail.empty())
    body["response_metadata"] = {{"messages", {detail}}};
  http::api_reply out;
  out.status = status;
  out.body = http::dump_json(body);
  out.headers = std::move(headers);
  reply(std::move(out));
}

void ratelimited(http::gateway& gw, const http::reply_fn& reply, int retry_after) {
  gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  http::api_reply out;
  out.status = 429;
  out.body = http::dump_json({{"ok", false}, {"error", "ratelimited"}});
  out.headers.emplace_back("Retry-After", std::to_string(retry_after));
  reply(std::move(out));
}

void run(const method_entry& entry, const call_ptr& call) {
  try {
    entry.handler(call);
  } catch (const std::exception& e) {
    call->crashed(e.what());
  }
}

/// The parameters of `req` (a query-string token ignored unless --allow-query-token: URLs end up
/// in proxy and access logs, and Slack no longer takes them), or nullopt after answering why not.
std::optional<nlohmann::json> read_params(http::gateway& gw, const http::api_request& req,
                                          const http::reply_fn& reply) {
  auto params = http::collect_params(req.query, req.content_type, req.body,
                                     gw.config.allow_query_token ? "" : "token");
  if (!params.ok()) {
    early_error(gw, reply,
                params.error().code == errc::invalid_json ? "invalid_json" : "invalid_form_data",
                params.error().message);
    return std::nullopt;
  }
  for (const auto& item : params->items()) {
    if (!http::valid_param_name(item.key())) {
      early_error(gw, reply, "invalid_arg_name", "bad argument name '" + item.key() + "'");
      return std::nullopt;
    }
  }
  return std::move(params.value());
}

/// The caller is known (`who`, or the refusal): checks it, reads the parameters when not read yet
/// (`params` empty) and runs the method.
void authenticated(http::gateway& gw, const method_entry& entry, const std::string& token,
                   std::optional<nlohmann::json> params, const http::api_request& req,
                   const http::reply_fn& reply, result<identity> who) {
  if (!who.ok() && http::is_pool_full(who.error())) {
    gw.auth_succeeded(req.client_address);  // nothing was looked up
    early_error(gw, reply, "service_unavailable", {}, 503, {{"Retry-After", "1"}});
    return;
  }
  if (!who.ok()) {
    const char* code = http::slack_auth_error(who.error());
    if (!http::is_internal(who.error().code))
      gw.auth_failed(req.client_address, code);
    early_error(gw, reply, code);
    return;
  }
  gw.auth_succeeded(req.client_address);
  if (!who->user.active) {
    early_error(gw, reply, "account_inactive");
    return;
  }
  if (int wait = gw.limiter.acquire(token, http::gateway::monotonic_seconds()); wait > 0) {
    ratelimited(gw, reply, wait);
    return;
  }
  if (entry.admin_only && !who->user.admin) {
    early_error(gw, reply, "not_admin", "this method needs an admin token");
    return;
  }
  if (!params && !(params = read_params(gw, req, reply)))
    return;
  params->erase("token");
  auto call = std::make_shared<slack_call>(gw, entry.name, std::move(*params),
                                           std::move(who->user), req.host, reply);
  call->token_secret = token;
  call->token_id = std::move(who->token_id);
  call->address = req.client_address;
  run(entry, call);
}

} // namespace

bool is_known_method(const std::string& method) {
  return find_method(method) != nullptr;
}

void handle(http::gateway& gw, const std::string& method, const http::api_request& req,
            http::reply_fn reply) {
  const auto* entry = find_method(method);
  if (entry == nullptr) {
    early_error(gw, reply, "unknown_method", "no Web API method named '" + method + "'");
    return;
  }
  if (req.method != "GET" && req.method != "POST") {
    early_error(gw, reply, "method_not_supported", "use GET or POST", 405);
    return;
  }
  // A header token is checked before the body is parsed: an unauthenticated body costs nothing.
  std::optional<nlohmann::json> params;
  auto token = http::bearer_token(req.authorization);
  if (token.empty()) {
    if (!(params = read_params(gw, req, reply)))
      return;
    token = http::param_string(*params, "token").value_or("");
  }
  if (token.empty()) {
    early_error(gw, reply, "not_authed");
    return;
  }
  if (int wait = gw.auth_attempt(req.client_address); wait > 0) {
    ratelimited(gw, reply, wait);
    return;
  }
  gw.auth.authenticate(token, [&gw, entry, token, params = std::move(params), req,
                               reply = std::move(reply)](result<identity> who) mutable {
    authenticated(gw, *entry, token, std::move(params), req, reply, std::move(who));
  });
}

} // namespace presence::api::slack
