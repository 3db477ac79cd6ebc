#pragma once

// Rocket.Chat's real-time stream over one WebSocket (`/websocket`, Meteor's DDP; README.md in
// this folder). Unlike RTM, the upgrade is not authenticated: the socket speaks `connect` and
// `ping` only until a `login` method with `{"resume": token}` succeeds, within the login
// deadline; then it is a presence connection of that user like an RTM socket (session.hpp: the
// engine connect, the heartbeat, the caps, revocation). Threading as `rtm::session`.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "../rtm/session.hpp"
#include "ddp_protocol.hpp"

namespace presence::api::ddp {

/// Why a login was refused (ddp/README.md lists the Meteor errors each becomes).
enum class login_refusal {
  invalid_token,         ///< not a token of this workspace
  token_revoked,         ///< a revoked token
  account_inactive,      ///< its user is deactivated
  too_many_attempts,     ///< the address's failed-login budget or the token's connect rate
  too_many_connections,  ///< the user has `max_connections_per_user` sockets open
  unavailable,           ///< the server cannot look the token up now (its pool is full)
};

/// What a login attempt came to: `user` when accepted (a place in the per-user cap is then
/// reserved for the session), else `refusal`; `retry_after` in seconds for `too_many_attempts`.
struct login_outcome {
  std::optional<login_refusal> refusal;
  std::string user;
  std::string token_id;  ///< the token's id (the audit, and revocation's re-check)
  std::string address;   ///< the client's address (the audit)
  bool bot = false;  ///< a bot's token: the connection is of client kind `bot`
  int retry_after = 0;
};

/// Checks a resume token for one socket (the HTTP layer binds the client's address, its budgets
/// and the authenticator) and calls `done` exactly once, from any thread.
using login_fn =
  std::function<void(const std::string& secret, std::function<void(login_outcome)> done)>;

/// Takes over `stream` for the upgrade request `req` (already read) of `/websocket`, keeping
/// `hold` (the connection's place in the server's connection caps) until it ends. Accepts the
/// handshake and serves DDP; `login` checks the resume token of a `login` method. A socket that
/// has not logged in within two heartbeat intervals (1–10 s) is closed with 1008. Returns at
/// once.
void start_session(boost::beast::tcp_stream stream,
                   boost::beast::http::request<boost::beast::http::string_body> req,
                   login_fn login, rtm::session_context& ctx, std::shared_ptr<void> hold = {});

class ddp_session final : public rtm::session {
 public:
  ddp_session(boost::beast::tcp_stream stream, request req, login_fn login,
              rtm::session_context& ctx, std::shared_ptr<void> hold);

 private:
  // --- the protocol's hooks (ddp_session.cpp) --------------------------------------------------
  void on_open() override;
  void on_presence_open(const presence::engine::service_state& service) override;
  void on_connect_refused(errc code) override;
  void on_message(const std::string& message, bool text) override;
  std::string render_rate_limited(int limit) override;
  std::vector<std::string> render(const std::vector<notification>& notes) override;
  std::vector<std::string> farewell(events::disconnect_reason reason) override;

  // --- client messages (ddp_requests.cpp) ------------------------------------------------------
  void handle(const connect_message& msg);
  void handle(const ping_message& msg);
  void handle(const pong_message&) {}
  void handle(const method_message& msg);
  void handle(const sub_message& msg);
  void handle(const unsub_message& msg);
  void handle(const bad_message& msg);
  void login(const method_message& msg);
  void on_login(const std::string& secret, const login_outcome& outcome);
  /// UserPresence:online / away / setDefaultStatus, after login.
  void presence_method(const method_message& msg);
  /// Answers method `id` with `error` (a meteor_error) and `updated`.
  void fail_method(const std::string& id, const nlohmann::json& error);
  /// Answers method `id` with `result` and `updated`.
  void answer_method(const std::string& id, const nlohmann::json& result);
  /// Lists the workspace's active users (at most max_subscription) and subscribes to them.
  void subscribe_everyone(const std::string& sub_id);
  bool watching_user_status() const;
  /// A user's presence changed: its `user-status` event now, or once its status text is known.
  void presence_changed(const std::string& user, std::vector<std::string>& frames);
  /// Looks up the status text of `user` (unknown so far), then sends its `user-status` event.
  void fetch_status_text(const std::string& user);

  login_fn login_;
  boost::asio::steady_timer login_timer_;
  bool connected_ddp_ = false;    ///< `connect` was answered `connected`
  std::string login_id_;          ///< the pending or answered login method's id
  std::string resume_token_;      ///< the login's token, until the login is answered
  bool logging_in_ = false;
  bool logged_in_ = false;        ///< the login's result went out
  /// Open subscriptions: id -> event name on stream-notify-logged.
  std::unordered_map<std::string, std::string> subs_;
  bool subjects_set_ = false;     ///< the engine subscription holds the workspace's users
  /// The engine is sending the subscribed users' current presences: they are recorded, not sent
  /// (Rocket.Chat's stream carries changes only).
  bool syncing_ = false;
  /// What this socket last saw of each subscribed user: presence and status text.
  struct seen {
    std::optional<events::presence_value> presence;
    std::string text;
    bool text_known = false;  ///< a status change or a lookup told the text
    bool fetching = false;    ///< a lookup of the text is under way; events wait for it
  };
  std::unordered_map<std::string, seen> seen_;
  std::optional<presence::engine::service_state> service_;  ///< as last heard
};

} // namespace presence::api::ddp
