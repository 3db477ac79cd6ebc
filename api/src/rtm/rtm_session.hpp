#pragma once

// The seam between the HTTP layer and the real-time API: the HTTP session authenticates a
// WebSocket upgrade request and hands the socket over here. Owned by the RTM module.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engine_offload.hpp"
#include "presence/actors/engine.hpp"
#include "ticket_store.hpp"

namespace presence::api {
struct metrics;
} // namespace presence::api

namespace presence::api::rtm {

/// Limits of one real-time session (from the server config).
struct session_limits {
  std::size_t max_frame_bytes = 64 * 1024;       ///< larger frames are refused (close 1009)
  std::size_t max_backlog_bytes = 1 << 20;       ///< unsent bytes before a slow consumer is cut off
  std::chrono::milliseconds ping_interval{30'000};  ///< heartbeat; no pong for 2 = dead peer
  int sub_rate_per_s = 5;                        ///< presence_sub + presence_query per second
  int msg_rate_per_s = 50;                       ///< client messages of any kind per second
  std::size_t max_query_ids = 500;
  /// Engine calls queued or running on the offload pool, over all sessions: past it a
  /// presence_sub is answered `busy` and a new session is closed with 1013 (try again later).
  std::size_t max_offload_queue = 1024;
};

/// Everything a session needs; outlives every session (owned by the server).
struct session_context {
  session_context(presence::engine& engine_ref, api::metrics& stats_ref, session_limits limits_)
    : engine(engine_ref), stats(stats_ref), limits(limits_), offload(limits_.max_offload_queue) {}
  presence::engine& engine;
  api::metrics& stats;
  session_limits limits;
  offload_gate offload;  ///< the bound on the shared offload pool's queue
};

/// Takes over `stream` after the HTTP layer authenticated `who` and reserved a place for it
/// (`reserve_user_session`) for the upgrade request `req` (already read). The session keeps `who`
/// to be re-checked by `close_revoked_sessions`, and `hold` (the connection's place in the
/// server's connection caps, opaque here) until it ends. Accepts the WebSocket handshake, opens
/// a presence connection for `who.user` (engine connect), sends `hello`, and runs until either
/// side closes; then logs the disconnect. `batch_presence_aware` is false when the client asked
/// for `batch_presence_aware=0`; `client` is the kind recorded on connect (`rtm`, the
/// `web`/`desktop`/`mobile` it declared, or `bot` for a bot's token).
/// Returns at once; the session lives on a strand of the stream's executor (any number of I/O
/// threads is fine). The engine's blocking calls run on a private pool, never on an I/O thread.
void start_session(boost::beast::tcp_stream stream,
                   boost::beast::http::request<boost::beast::http::string_body> req,
                   credential who, bool batch_presence_aware, std::string client,
                   session_context& ctx, std::shared_ptr<void> hold = {});

/// From any thread, at server shutdown: every open session is sent `{"type":"goodbye"}` (Slack's
/// notice) and closed with 1001 "server shutting down"; its disconnect is logged with reason
/// `server_restart`. Returns at once.
void close_all_sessions();

/// Reserves a place for one more session of `user` when fewer than `cap` (0 = no cap) are open or
/// reserved; false when none is left. Every reservation is taken over by the next `start_session`
/// for that user, which gives it back when the session ends. Thread-safe.
bool reserve_user_session(const std::string& user, std::size_t cap);
/// Gives back a place `reserve_user_session` took for a session that never started. Thread-safe.
void release_user_session(const std::string& user);
/// Sessions of `user` open or reserved. Thread-safe.
std::size_t user_sessions(const std::string& user);

/// Re-checks a session's token by its id: the user and token it stands for, or the refusal
/// (`token_revoked`, `user_deactivated`, …). Blocking.
using credential_check = std::function<result<identity>(const std::string& token_id)>;

/// Blocking, from a non-I/O thread (the blocking pool), after a token was revoked or a user
/// deactivated: re-checks with `check` the token id of every open session (only the sessions of
/// `user` when it is not empty), once per distinct token. Each session refused with
/// `token_revoked` or `user_deactivated` (or whose user is inactive) is sent
/// `{"type":"goodbye","reason":"token_revoked"|"account_inactive"}`, closed with 1008 and its
/// disconnect logged with that reason. Returns how many sessions it is closing.
std::size_t close_revoked_sessions(const credential_check& check, const std::string& user = {});

/// Blocks a non-I/O thread until every session has ended and the engine acknowledged its
/// disconnect, or `timeout` passes (false). Call after `close_all_sessions`, with the I/O threads
/// still running, before shutting the engine down. It also stops the threads the sessions used
/// for the engine's blocking calls, which must be gone before the engine is destroyed (CAF
/// waits for them); sessions started later get fresh ones.
bool wait_sessions_finished(std::chrono::milliseconds timeout);

} // namespace presence::api::rtm
