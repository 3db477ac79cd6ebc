#pragma once

// Slack's RTM over one WebSocket (README.md in this folder): the presence connection opens with
// the socket, `hello` first; presence_sub / presence_query / ping / tickle from the client.
// Threading as `session` (session.hpp): everything on the session's strand.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtm_protocol.hpp"
#include "session.hpp"

namespace presence::api::rtm {

class slack_session final : public session {
 public:
  /// `who` was authenticated at the upgrade and its place in the per-user cap reserved.
  slack_session(boost::beast::tcp_stream stream, request req, credential who,
                bool batch_presence_aware, std::string client, session_context& ctx,
                std::shared_ptr<void> hold);

 private:
  void on_open() override;
  void on_presence_open(const presence::engine::service_state& service) override;
  void on_connect_refused(errc code) override;
  void on_message(const std::string& message, bool text) override;
  std::string render_rate_limited(int limit) override;
  std::vector<std::string> render(const std::vector<notification>& notes) override;
  std::vector<std::string> farewell(events::disconnect_reason reason) override;

  void handle(presence_sub_message msg);
  void handle(presence_query_message msg);
  void handle(const ping_message& msg);
  void handle(const tickle_message&);
  void handle(const bad_message& msg);
  /// Takes a presence_sub / presence_query token; on refusal answers `ratelimited`.
  bool admit(const nlohmann::json& reply_to);
  bool batched_;
  token_bucket sub_limiter_;
};

} // namespace presence::api::rtm
