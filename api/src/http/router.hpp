#pragma once

// Which handler answers a request: /healthz, /readyz, /metrics, /api/v1/<method> (Rocket.Chat),
// /api/<method> (Slack), the web console's files (every other path), and the authentication of /rtm WebSocket upgrades. No Beast types: the
// HTTP session hands over plain api_request values.

#include <functional>
#include <string>

#include "http/api_types.hpp"
#include "ddp/ddp_session.hpp"
#include "http/gateway.hpp"

namespace presence::api::http {

/// Answers `req` through `reply` exactly once (from any thread). WebSocket upgrades of /rtm and
/// /websocket are not routed here (see `authenticate_upgrade`, `ddp_login`); a plain request to
/// either gets 426.
void route(gateway& gw, const api_request& req, reply_fn reply);

/// The outcome of authenticating a /rtm upgrade request.
struct upgrade_auth {
  bool ok = false;
  rtm::credential who;            ///< when ok: the user, the token id and the client address
  bool batch_presence_aware = true;
  std::string client = "rtm";     ///< the client kind: the ticket's, else the declared one
                                  ///< (param_client_kind); `bot` for a bot's token
  api_reply refusal;              ///< when !ok: the HTTP answer to send instead of upgrading
};

/// Authenticates a /rtm upgrade: a one-time `ticket` (from rtm.connect; the token it was issued
/// for is re-checked by its id, so a ticket of a token revoked since is `token_revoked`), an
/// `Authorization: Bearer` header, or (only with `allow_query_token`) a `token` parameter. Calls
/// `done` exactly once, inline, on the blocking pool or on an engine thread.
void authenticate_upgrade(gateway& gw, const api_request& req,
                          std::function<void(upgrade_auth)> done);

/// The login check of one `/websocket` (DDP) socket from `address`: the address's failed-login
/// budget, the token's connect rate, the authenticator (a revoked token, a deactivated user),
/// then a place in the user's `max_connections_per_user`. Answers from any thread.
ddp::login_fn ddp_login(gateway& gw, std::string address);

} // namespace presence::api::http
