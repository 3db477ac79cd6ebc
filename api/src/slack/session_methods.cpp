// auth.test and rtm.connect.

#include <algorithm>
#include <cctype>
#include <string>

#include "http/request_params.hpp"
#include "rtm/rtm_session.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

/// HOST:PORT clients reach us by: the request's Host header when it looks like one, else the
/// configured host and the bound port.
std::string authority(const call_ptr& call) {
  const auto& host = call->host;
  bool plausible = !host.empty() && host.size() <= 255 &&
                   std::all_of(host.begin(), host.end(), [](unsigned char c) {
                     return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' ||
                            c == ']';
                   });
  if (plausible)
    return host;
  const auto& configured = call->gw.config.host;
  auto name = configured.find(':') != std::string::npos ? "[" + configured + "]" : configured;
  return name + ":" + std::to_string(call->gw.port.load());
}

/// The base URL clients reach the Web API by: `public_url` when set, else the scheme served and
/// `authority`.
std::string base_url(const call_ptr& call) {
  const auto& cfg = call->gw.config;
  if (!cfg.public_url.empty())
    return cfg.public_url;
  return (cfg.tls_cert.empty() ? "http://" : "https://") + authority(call);
}

} // namespace

void auth_test(const call_ptr& call) {
  const auto& cfg = call->gw.config;
  call->ok({{"url", base_url(call) + "/"},
            {"team", cfg.team_name},
            {"user", call->caller.name},
            {"team_id", cfg.team_id},
            {"user_id", call->caller.id},
            {"is_admin", call->caller.admin},
            {"is_enterprise_install", false}});
}

void rtm_connect(const call_ptr& call) {
  auto args = call->accept(parse_rtm_connect(call->params));
  if (!args)
    return;
  auto& gw = call->gw;
  auto now = http::gateway::monotonic_seconds();
  if (int wait = gw.connect_limiter.acquire(call->token_secret, now); wait > 0) {
    call->ratelimited(wait);
    return;
  }
  if (int wait = gw.user_connect_limiter.acquire(call->caller.id, now); wait > 0) {
    call->ratelimited(wait);
    return;
  }
  auto cap = gw.config.max_connections_per_user;
  if (cap > 0 && rtm::user_sessions(call->caller.id) >= cap) {
    call->fail("too_many_connections",
               "at most " + std::to_string(cap) + " open real-time connections per user");
    return;
  }
  // The ticket carries the token (re-checked on redemption) and the client kind: a bot's
  // connections are of kind `bot` (no auto-away), which no client can declare for itself.
  auto client = call->caller.bot ? std::string("bot") : args->client;
  auto ticket = gw.tickets.issue({call->caller.id, call->token_id, {}}, http::gateway::now_us(),
                                 30'000'000, std::move(client));
  // http://… becomes ws://…, https://… wss://…
  auto url = "ws" + base_url(call).substr(4) + "/rtm?ticket=" + http::percent_encode(ticket);
  if (!args->batch_presence_aware)
    url += "&batch_presence_aware=0";
  const auto& cfg = call->gw.config;
  call->ok({{"url", url},
            {"team", {{"id", cfg.team_id}, {"name", cfg.team_name}, {"domain", cfg.team_name}}},
            {"self", {{"id", call->caller.id}, {"name", call->caller.name}}}});
}

} // namespace presence::api::slack
