#pragma once

// The Rocket.Chat-compatible REST front door: endpoint lookup, X-Auth-Token + X-User-Id
// authentication, the per-token rate limit and the admin check (rocketchat/methods.hpp).

#include <string>

#include "http/api_types.hpp"
#include "http/gateway.hpp"

namespace presence::api::rocketchat {

/// Handles `/api/v1/<method>`. Answers through `reply` exactly once, from any thread: 200 with
/// {"success":true,…}; 400 / 401 / 403 / 404 / 405 / 429 / 500 with {"success":false,…}.
void handle(http::gateway& gw, const std::string& method, const http::api_request& req,
            http::reply_fn reply);

} // namespace presence::api::rocketchat
