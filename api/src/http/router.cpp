#include "http/router.hpp"

#include <optional>
#include <string_view>
#include <utility>

#include "http/error_mapping.hpp"
#include "http/request_params.hpp"
#include "rocketchat/rc_api.hpp"
#include "slack/slack_api.hpp"

namespace presence::api::http {

namespace {

api_reply text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  api_reply out;
  out.status = status;
  out.content_type = std::move(type);
  out.body = std::move(body);
  return out;
}

api_reply json_error(int status, const std::string& code) {
  api_reply out;
  out.status = status;
  out.body = dump_json({{"ok", false}, {"error", code}});
  return out;
}

/// Settles an authentication attempt from `address` (gateway::auth_attempt): a success (or a
/// full pool: no token was looked up) gives its unit back, a refused token is logged; another
/// internal failure is neither.
void note_outcome(gateway& gw, const std::string& address, const result<identity>& who) {
  if (who.ok() || is_pool_full(who.error()))
    gw.auth_succeeded(address);
  else if (!is_internal(who.error().code))
    gw.auth_failed(address, slack_auth_error(who.error()));
}

/// 503 `service_unavailable` with `Retry-After: 1`: the blocking pool's queue is full.
api_reply service_busy(gateway& gw) {
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  auto out = json_error(503, "service_unavailable");
  out.headers.emplace_back("Retry-After", "1");
  return out;
}

/// 429 `ratelimited` with `Retry-After: wait`.
api_reply too_many_requests(gateway& gw, int wait) {
  gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
  gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  auto out = json_error(429, "ratelimited");
  out.headers.emplace_back("Retry-After", std::to_string(wait));
  return out;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// /metrics: the admin token (or an admin user's token) as a Bearer header, like the admin API.
void serve_metrics(gateway& gw, const api_request& req, reply_fn reply) {
  auto token = bearer_token(req.authorization);
  if (token.empty()) {
    reply(json_error(401, "not_authed"));
    return;
  }
  if (int wait = gw.auth_attempt(req.client_address); wait > 0) {
    reply(too_many_requests(gw, wait));
    return;
  }
  gw.auth.authenticate(token, [&gw, address = req.client_address,
                               reply = std::move(reply)](result<identity> who) {
    note_outcome(gw, address, who);
    if (!who.ok() && is_pool_full(who.error())) {
      reply(service_busy(gw));
      return;
    }
    if (!who.ok() || !who->user.active) {
      reply(json_error(401, who.ok() ? "account_inactive" : slack_auth_error(who.error())));
      return;
    }
    if (!who->user.admin) {
      reply(json_error(403, "not_admin"));
      return;
    }
    bool queued = gw.blocking([&gw, reply] {
      auto body = gw.stats.render();
      // The engine's own figures; the workspace's connections when the supervisor answers.
      auto service = gw.engine.service();
      body += render_engine(gw.engine.stats(), service.ok() ? &service.value() : nullptr);
      reply(text(200, std::move(body), "text/plain; version=0.0.4; charset=utf-8"));
    });
    if (!queued)
      reply(service_busy(gw));
  });
}

} // namespace

void route(gateway& gw, const api_request& req, reply_fn reply) {
  gw.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
  const auto& path = req.path;
  if (path == "/healthz") {
    reply(text(200, "ok\n"));
  } else if (path == "/readyz") {
    bool ready = gw.ready.load() && !gw.stopping.load();
    reply(text(ready ? 200 : 503, ready ? "ready\n" : "not ready\n"));
  } else if (path == "/metrics") {
    serve_metrics(gw, req, std::move(reply));
  } else if (path == "/rtm" || path == "/websocket") {
    reply(json_error(426, "upgrade_required"));
  } else if (starts_with(path, "/api/v1/") && path.size() > 8) {
    rocketchat::handle(gw, path.substr(8), req, std::move(reply));
  } else if (starts_with(path, "/api/") && path.size() > 5) {
    slack::handle(gw, path.substr(5), req, std::move(reply));
  } else {
    reply(gw.site.serve(req));
  }
}

void authenticate_upgrade(gateway& gw, const api_request& req,
                          std::function<void(upgrade_auth)> done) {
  gw.stats.http_requests.fetch_add(1, std::memory_order_relaxed);
  upgrade_auth outcome;
  nlohmann::json params = nlohmann::json::object();
  if (auto st = parse_urlencoded(req.query, params); !st) {
    outcome.refusal = json_error(400, "invalid_form_data");
    done(std::move(outcome));
    return;
  }
  bool malformed = false;
  outcome.batch_presence_aware = param_bool(params, "batch_presence_aware", true, &malformed);
  bool bad_client = false;
  outcome.client = param_client_kind(params, &bad_client);
  if (bad_client) { // (a malformed batch_presence_aware reads as the default, 1)
    outcome.refusal = json_error(400, "invalid_arguments");
    done(std::move(outcome));
    return;
  }
  auto refuse = [&gw](upgrade_auth& o, const std::string& code) {
    gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
    o.refusal = json_error(401, code);
  };
  auto over_budget = [&gw, &req, &outcome, &done] {
    int wait = gw.auth_attempt(req.client_address);
    if (wait > 0) {
      outcome.refusal = too_many_requests(gw, wait);
      done(std::move(outcome));
    }
    return wait > 0;
  };
  std::string token;
  std::optional<rtm::credential> ticket_holder;  // a ticket's user must still be its token's
  if (auto ticket = param_string(params, "ticket")) {
    if (over_budget())
      return;
    ticket_holder = gw.tickets.redeem(*ticket, gateway::now_us(), &outcome.client);
    if (!ticket_holder) {
      gw.auth_failed(req.client_address, "invalid_auth (ticket)");
      refuse(outcome, "invalid_auth");
      done(std::move(outcome));
      return;
    }
  } else {
    token = bearer_token(req.authorization);
    if (token.empty() && gw.config.allow_query_token)
      token = param_string(params, "token").value_or("");
    if (token.empty()) {
      refuse(outcome, "not_authed");
      done(std::move(outcome));
      return;
    }
    if (over_budget())
      return;
    // A ticket was already counted by rtm.connect; an upgrade with the token itself is counted
    // here.
    if (int wait = gw.connect_limiter.acquire(token, gateway::monotonic_seconds()); wait > 0) {
      gw.auth_succeeded(req.client_address);  // refused for its rate, not for its token
      outcome.refusal = too_many_requests(gw, wait);
      done(std::move(outcome));
      return;
    }
  }
  std::string ticket_user = ticket_holder ? ticket_holder->user : std::string{};
  auto settle = [&gw, address = req.client_address, outcome, refuse, ticket_user,
                 done = std::move(done)](result<identity> who) mutable {
    note_outcome(gw, address, who);
    if (!who.ok() && is_pool_full(who.error()))
      outcome.refusal = service_busy(gw);
    else if (!who.ok())
      refuse(outcome, slack_auth_error(who.error()));
    else if (!who->user.active)
      refuse(outcome, "account_inactive");
    else if (!ticket_user.empty() && ticket_user != who->user.id)
      refuse(outcome, "invalid_auth");
    else if (int wait = ticket_user.empty() ? gw.user_connect_limiter.acquire(
                                                who->user.id, gateway::monotonic_seconds())
                                            : 0;
             wait > 0)
      outcome.refusal = too_many_requests(gw, wait);  // a ticket was counted by rtm.connect
    else {
      outcome.ok = true;
      outcome.who = rtm::credential{who->user.id, who->token_id, address};
      if (who->user.bot) // a bot's connections are of kind `bot` (no auto-away), whatever was declared
        outcome.client = "bot";
    }
    done(std::move(outcome));
  };
  // A ticket holds its token's id, never the secret: the token is re-checked by id.
  if (ticket_holder)
    gw.auth.check_token(ticket_holder->token_id, std::move(settle));
  else
    gw.auth.authenticate(token, std::move(settle));
}

ddp::login_fn ddp_login(gateway& gw, std::string address) {
  return [&gw, address = std::move(address)](const std::string& secret,
                                             std::function<void(ddp::login_outcome)> done) {
    ddp::login_outcome outcome;
    if (int wait = gw.auth_attempt(address); wait > 0) {
      gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
      outcome.refusal = ddp::login_refusal::too_many_attempts;
      outcome.retry_after = wait;
      done(std::move(outcome));
      return;
    }
    if (int wait = gw.connect_limiter.acquire(secret, gateway::monotonic_seconds()); wait > 0) {
      gw.auth_succeeded(address);  // refused for its rate, not for its token
      gw.stats.ratelimited.fetch_add(1, std::memory_order_relaxed);
      outcome.refusal = ddp::login_refusal::too_many_attempts;
      outcome.retry_after = wait;
      done(std::move(outcome));
      return;
    }
    gw.auth.authenticate(secret, [&gw, address, done = std::move(done)](
                                   result<identity> found) mutable {
      note_outcome(gw, address, found);
      auto who = found.ok() ? result<events::user_record>{found->user}
                            : result<events::user_record>{found.error()};
      ddp::login_outcome outcome;
      if (!who.ok() && is_pool_full(who.error()))
        outcome.refusal = ddp::login_refusal::unavailable;
      else if (!who.ok() && who.error().code == errc::token_revoked)
        outcome.refusal = ddp::login_refusal::token_revoked;
      else if ((!who.ok() && who.error().code == errc::user_deactivated) ||
               (who.ok() && !who->active))
        outcome.refusal = ddp::login_refusal::account_inactive;
      else if (!who.ok())
        outcome.refusal = ddp::login_refusal::invalid_token;
      else if (int wait = gw.user_connect_limiter.acquire(who->id, gateway::monotonic_seconds());
               wait > 0) {
        outcome.refusal = ddp::login_refusal::too_many_attempts;
        outcome.retry_after = wait;
      }
      // Over the per-user cap the login is refused: nothing is logged.
      else if (!rtm::reserve_user_session(who->id, gw.config.max_connections_per_user))
        outcome.refusal = ddp::login_refusal::too_many_connections;
      else {
        outcome.user = who->id;
        outcome.token_id = found->token_id;
        outcome.address = address;
        outcome.bot = who->bot;
      }
      if (outcome.refusal && !who.ok() && !is_pool_full(who.error()))
        gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
      done(std::move(outcome));
    });
  };
}

} // namespace presence::api::http
