#include "slack/slack_api.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

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
  {"rtm.connect", rtm_connect, false},
  {"admin.users.create", admin_users_create, true},
  {"admin.users.deactivate", admin_users_deactivate, true},
  {"admin.users.setAlwaysActive", admin_users_set_always_active, true},
  {"admin.tokens.issue", admin_tokens_issue, true},
  {"admin.tokens.revoke", admin_tokens_revoke, true},
  {"admin.settings.get", admin_settings_get, true},
  {"admin.settings.set", admin_settings_set, true},
  {"admin.presence.enable", admin_presence_enable, true},
  {"admin.presets.list", admin_presets_list, true},
  {"admin.presets.create", admin_presets_create, true},
  {"admin.presets.update", admin_presets_update, true},
  {"admin.presets.delete", admin_presets_delete, true},
};

const method_entry* find_method(const std::string& name) {
  for (const auto& m : method_table)
    if (name == m.name)
      return &m;
  return nullptr;
}

/// An answer before any call object exists (unknown method, bad parameters, failed auth).
void early_error(http::gateway& gw, const http::reply_fn& reply, const std::string& code,
                 const std::string& detail = {}, int status = 200) {
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  nlohmann::json body = {{"ok", false}, {"error", code}};
  if (!detail.empty())
    body["response_metadata"] = {{"messages", {detail}}};
  http::api_reply out;
  out.status = status;
  out.body = http::dump_json(body);
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
  auto params = http::collect_params(req.query, req.content_type, req.body);
  if (!params.ok()) {
    early_error(gw, reply,
                params.error().code == errc::invalid_json ? "invalid_json" : "invalid_form_data",
                params.error().message);
    return;
  }
  for (const auto& item : params->items()) {
    if (!http::valid_param_name(item.key())) {
      early_error(gw, reply, "invalid_arg_name", "bad argument name '" + item.key() + "'");
      return;
    }
  }
  auto token = http::bearer_token(req.authorization);
  if (token.empty())
    token = http::param_string(*params, "token").value_or("");
  if (token.empty()) {
    early_error(gw, reply, "not_authed");
    return;
  }
  params->erase("token");
  gw.auth.authenticate(token, [&gw, entry, token, params = std::move(*params), host = req.host,
                               reply = std::move(reply)](result<events::user_record> who) mutable {
    if (!who.ok()) {
      early_error(gw, reply, http::slack_auth_error(who.error()));
      return;
    }
    if (!who->active) {
      early_error(gw, reply, "account_inactive");
      return;
    }
    if (int wait = gw.limiter.acquire(token, http::gateway::monotonic_seconds()); wait > 0) {
      ratelimited(gw, reply, wait);
      return;
    }
    if (entry->admin_only && !who->admin) {
      early_error(gw, reply, "not_admin", "this method needs an admin token");
      return;
    }
    auto call = std::make_shared<slack_call>(gw, entry->name, std::move(params),
                                             std::move(who.value()), std::move(host),
                                             std::move(reply));
    run(*entry, call);
  });
}

} // namespace presence::api::slack
