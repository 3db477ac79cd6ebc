#pragma once

// The Slack-compatible Web API front door: method lookup, parameters, authentication, the
// per-token rate limit and the admin check, then the method itself (slack/methods.hpp).

#include <string>

#include "http/api_types.hpp"
#include "http/gateway.hpp"

namespace presence::api::slack {

/// Handles `/api/<method>`. Answers through `reply` exactly once, from any thread: HTTP 200 with
/// {"ok":…}, HTTP 429 with Retry-After when rate limited, HTTP 405 for verbs other than GET/POST.
void handle(http::gateway& gw, const std::string& method, const http::api_request& req,
            http::reply_fn reply);

/// True when `method` is a Web API method this server knows.
bool is_known_method(const std::string& method);

} // namespace presence::api::slack
