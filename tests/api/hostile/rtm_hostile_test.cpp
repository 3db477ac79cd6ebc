// End-to-end bad-input catalogue of the real-time WebSocket (/rtm, api/src/rtm/README.md): bad
// frames on one open socket, each answered by its documented `error` frame while the socket stays
// open; frames the WebSocket layer refuses (invalid UTF-8, oversize) closing their own socket;
// refused upgrades (replayed, expired and unknown tickets, revoked tokens…). After the catalogue
// the server is up, the abused socket still works, the refused sockets are disconnected in the
// log, and every write acknowledged during the catalogue is there. Then a flood with memory bounded.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"

namespace presence::test {
namespace {

using hostile::nested;
using hostile::refused_marker;

constexpr int max_frame_bytes = 256 << 10;  // room for 100,000 levels of nesting

/// A bad frame and the error it must draw.
struct frame_case {
  std::string what;
  std::string frame;
  int code;                 ///< error.code; 0 = accepted, no error expected
  json reply_to = nullptr;  ///< expected reply_to (null = absent)
  bool binary = false;
};

json id_list(int count) {
  json list = json::array();
  for (int i = 0; i < count; ++i)
    list.push_back("u" + std::to_string(i));
  return list;
}

std::string query(const json& ids) {
  return json{{"type", "presence_query"}, {"ids", ids}}.dump();
}

std::vector<frame_case> frame_catalogue() {
  const std::string r = refused_marker;
  return {
    {"not JSON", "{not json", 1},
    {"an empty frame", "", 1},
    {"garbage after the JSON", R"({"type":"ping"} x)", 1},
    {"a lone surrogate escape", R"({"type":"ping","x":"\ud800"})", 1},
    {"nested 65 levels", R"({"type":"ping","x":)" + nested(64) + "}", 1},
    {"nested 100,000 levels (echoed by ping before the fix)",
     R"({"type":"ping","id":1,"x":)" + nested(100'000) + "}", 1},
    {"a JSON array", "[1,2,3]", 2},
    {"a JSON string", R"("ping")", 2},
    {"type is a number", R"({"type":5,"id":1})", 2, 1},
    {"type is null", R"({"type":null})", 2},
    {"no type", R"({"id":9})", 2, 9},
    {"a binary frame", R"({"type":"ping"})", 2, nullptr, true},
    {"an unknown type", R"({"type":"message","text":")" + r + R"(","id":"x1"})", 3, "x1"},
    {"a type in the wrong case", R"({"type":"PING"})", 3},
    {"an object id is not echoed", R"({"type":"nope","id":{"a":1}})", 3},
    {"presence_sub without ids", R"({"type":"presence_sub"})", 4},
    {"ids is a string", R"({"type":"presence_query","ids":"walt"})", 4},
    {"an id is a number", R"({"type":"presence_query","ids":[1]})", 4},
    {"an id with a path", R"({"type":"presence_query","ids":["../admin"]})", 4},
    {"an id of 65 characters", query(json::array({std::string(65, 'u')})), 4},
    {"an empty id", R"({"type":"presence_sub","ids":[""]})", 4},
    {"an id that is an array", R"({"type":"presence_sub","ids":[["walt"]]})", 4},
    {"an id with a NUL", R"({"type":"presence_query","ids":["walt\u0000"]})", 4},
    {"presence_query with 501 ids", query(id_list(501)), 5},
    {"presence_sub with 501 ids", json{{"type", "presence_sub"}, {"ids", id_list(501)}}.dump(), 5},
    {"unknown fields on a tickle are ignored", R"({"type":"tickle","x":")" + r + R"("})", 0},
  };
}

/// Opens a socket with rtm.connect, sends `payload`, and expects the server to close it with
/// `close_code`; the handshake and hello must have succeeded.
void expect_closed_by(rtm_server& server, const std::string& token, const std::string& payload,
                      bool binary, int close_code) {
  auto client = server.open(token);
  ASSERT_TRUE(binary ? client->send_binary(payload) : client->send(payload));
  EXPECT_TRUE(client->await_close(std::chrono::seconds(10)));
  EXPECT_EQ(client->close_reason().code, close_code) << client->read_error();
}

/// Tries an upgrade at `target` and expects it refused with `status` and Slack error `error`.
void expect_refused(uint16_t port, const std::string& target, unsigned status,
                    const std::string& error, const std::string& bearer = {}) {
  ws_client client;
  ws_client::headers extra;
  if (!bearer.empty())
    extra.emplace_back("Authorization", "Bearer " + bearer);
  EXPECT_NE(client.connect(port, target, extra), "") << target;
  EXPECT_EQ(client.handshake_status(), status) << target;
  auto body = json::parse(client.handshake_body(), nullptr, false);
  EXPECT_EQ(body.value("error", ""), error) << client.handshake_body();
}

/// The caller's connection_count once it equals `want`, or its last value after 10 s. Polled
/// (10 calls a second, under the per-token rate limit): a disconnect is logged by the engine, and
/// a client has nothing to await for it.
int await_connections(rtm_server& server, const std::string& token, int want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int count = -1;
  while ((count = server.call("users.getPresence", token).value("connection_count", -1)) != want &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return count;
}

TEST(rtm_hostile, catalogue_gets_documented_errors_and_loses_nothing) {
  // Catalogue and flood frames come faster than the default per-socket message rate.
  rtm_server s({"--max-frame-bytes", std::to_string(max_frame_bytes),
                "--msg-rate-per-s", "10000"});
  auto walt = s.create_user("walt");
  auto mallory = s.create_user("mallory");
  auto rex = s.call("admin.users.create", s.process().admin_token(), {{"id", "rex"}, {"name", "rex"}});
  ASSERT_EQ(rex.value("ok", false), true);
  s.call("admin.tokens.revoke", s.process().admin_token(), {{"token_id", rex["token_id"]}});
  auto ivy = s.create_user("ivy");
  s.call("admin.users.deactivate", s.process().admin_token(), {{"user", "ivy"}});
  // Expired later, after the catalogue (tickets live 30 s).
  auto stale_ticket = s.rtm_target(mallory);
  auto stale_since = std::chrono::steady_clock::now();

  std::vector<std::string> acknowledged;
  auto ack = [&] {
    auto text = "ack " + std::to_string(acknowledged.size());
    auto answer = s.call("users.profile.set", walt, {{"profile", {{"status_text", text}}}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    acknowledged.push_back(text);
  };

  auto client = s.open(mallory);
  auto rows = frame_catalogue();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + row.what);
    ASSERT_TRUE(row.binary ? client->send_binary(row.frame) : client->send(row.frame));
    auto seen = client->barrier();
    ASSERT_TRUE(seen.has_value()) << "the socket stopped answering";
    // The acks' status changes (and ivy's deactivation, flushed after this socket opened) reach
    // every socket as user_change: not this row's answer.
    seen->erase(std::remove_if(seen->begin(), seen->end(),
                               [](const json& f) {
                                 auto who = f.value("type", "") == "user_change"
                                              ? f["user"].value("id", "")
                                              : std::string{};
                                 return who == "walt" || who == "ivy";
                               }),
                seen->end());
    if (row.code == 0) {
      EXPECT_TRUE(seen->empty()) << seen->front().dump();
    } else {
      ASSERT_EQ(seen->size(), 1u) << "exactly one error frame";
      const auto& error = seen->front();
      EXPECT_EQ(error.value("type", ""), "error") << error.dump();
      EXPECT_EQ(error["error"].value("code", 0), row.code) << error.dump();
      EXPECT_FALSE(error["error"].value("detail", "").empty()) << error.dump();
      EXPECT_EQ(error.contains("reply_to") ? error["reply_to"] : json(nullptr), row.reply_to);
    }
    ack();
  }
  // Over sub_rate_per_s (5 per second, burst 5): ratelimited, code 6; the socket stays open.
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(client->send(query(json::array({"walt"}))));
  auto burst = client->barrier();
  ASSERT_TRUE(burst.has_value());
  int limited = 0;
  for (const auto& frame : *burst)
    limited += is_error(frame, "ratelimited") && frame["error"].value("code", 0) == 6 ? 1 : 0;
  EXPECT_GE(limited, 1);
  ack();

  // Frames the WebSocket layer refuses close their own socket: 1007 invalid UTF-8, 1009 too big.
  expect_closed_by(s, mallory, "{\"type\":\"ping\",\"x\":\"" + refused_marker + "\xC3\x28\"}",
                   false, 1007);
  ack();
  expect_closed_by(s, mallory, std::string(max_frame_bytes + 1, ' '), false, 1009);
  ack();
  expect_closed_by(s, mallory, std::string(max_frame_bytes + 1, 'b'), true, 1009);
  ack();

  // Refused upgrades.
  auto port = s.port();
  auto once = s.rtm_target(mallory);
  ws_client first;
  ASSERT_EQ(first.connect(port, once), "");
  expect_refused(port, once, 401, "invalid_auth");  // the ticket replayed
  first.close();
  expect_refused(port, "/rtm?ticket=" + std::string(32, 'A'), 401, "invalid_auth");
  expect_refused(port, "/rtm", 401, "not_authed");
  expect_refused(port, "/rtm", 401, "token_revoked", rex.value("token", ""));
  expect_refused(port, "/rtm", 401, "account_inactive", ivy);
  expect_refused(port, "/rtm", 401, "invalid_auth", "xoxp-" + std::string(64, '0'));
  expect_refused(port, "/rtm?ticket=%ZZ", 400, "invalid_form_data");
  ack();
  std::size_t cases = rows.size() + 1 + 3 + 7 + 1;  // + rate limit, closes, upgrades, expiry
  std::printf("rtm catalogue: %zu rows\n", cases);

  // The abused socket still works: it subscribes (once the rate limit lets it) and hears walt's
  // next change.
  auto subscribed = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       !subscribed && std::chrono::steady_clock::now() < until;) {
    ASSERT_TRUE(client->send(json{{"type", "presence_sub"}, {"ids", {"walt"}}}));
    auto answer = client->barrier();
    ASSERT_TRUE(answer.has_value());
    subscribed = true;
    for (const auto& frame : *answer)
      subscribed = subscribed && !is_error(frame, "ratelimited");
  }
  ASSERT_TRUE(subscribed);
  ack();
  auto changed = client->await([&](const json& f) {
    return f.value("type", "") == "user_status_changed" &&
           f["user"]["profile"].value("status_text", "") == acknowledged.back();
  });
  EXPECT_TRUE(changed.has_value()) << "no user_status_changed for " << acknowledged.back();
  auto health = hostile::raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(health.status, 200);
  // Refused sockets were disconnected: only the abused socket is still counted.
  EXPECT_EQ(await_connections(s, mallory, 1), 1);

  // Expired ticket: refused once 30 s have passed since rtm.connect issued it.
  std::this_thread::sleep_until(stale_since + std::chrono::seconds(31));
  expect_refused(port, stale_ticket, 401, "invalid_auth");

  client->close();
  auto audit = hostile::stop_and_audit(s.process());
  EXPECT_EQ(audit.fields("walt", "status_set", "text"), acknowledged);
  // Mallory's sockets: the abused one, three refused by the WebSocket layer, the replayed
  // ticket's first use; each connected once and disconnected once.
  EXPECT_EQ(audit.count("mallory", "connected"), 5u);
  EXPECT_EQ(audit.count("mallory", "disconnected"), 5u);
  EXPECT_EQ(audit.count("mallory", "status_set"), 0u);
  EXPECT_EQ(audit.count("rex", "connected") + audit.count("ivy", "connected"), 0u);
}

/// 200 near-limit frames the server refuses (deep nesting, tens of thousands of ids) on one socket,
/// and 50 sockets cut off for an oversize frame, must leave the server's resident memory within a
/// fixed bound of where it stood after a warm-up round of the same: nothing per frame is kept.
TEST(rtm_hostile, flood_of_refused_frames_keeps_memory_bounded) {
  constexpr long bound_kib = 32 << 10;
  // Flood frames come faster than the default per-socket message rate, and its 56 sockets of one
  // user faster than the default rtm.connect rate.
  rtm_server s({"--max-frame-bytes", std::to_string(max_frame_bytes), "--msg-rate-per-s", "10000",
                "--connect-rate-per-s", "0"});
  auto token = s.create_user("flood");
  const std::string deep = R"({"type":"ping","x":)" + nested((max_frame_bytes - 64) / 2) + "}";
  // Tens of thousands of ids, just under the frame limit: refused as too_many_ids.
  std::string many = R"({"type":"presence_query","ids":["u0")";
  for (int i = 1; many.size() < static_cast<std::size_t>(max_frame_bytes) - 16; ++i)
    many += ",\"u" + std::to_string(i) + "\"";
  many += "]}";
  const std::string oversize(max_frame_bytes + 1, ' ');
  auto client = s.open(token);
  auto round = [&](int frames, int sockets) {
    for (int i = 0; i < frames; i += 10) {
      for (int j = i; j < i + 10; ++j)
        ASSERT_TRUE(client->send(j % 2 == 0 ? deep : many))
          << "frame " << j << ": close " << client->close_reason().code << " "
          << client->read_error();
      auto answers = client->barrier(std::chrono::seconds(20));
      ASSERT_TRUE(answers.has_value());
      ASSERT_EQ(answers->size(), 10u);
      for (std::size_t j = 0; j < answers->size(); ++j)
        EXPECT_EQ((*answers)[j]["error"].value("code", 0), j % 2 == 0 ? 1 : 5);
    }
    for (int k = 0; k < sockets; ++k)
      expect_closed_by(s, token, oversize, false, 1009);
  };
  round(20, 5);  // warm-up
  long before = hostile::rss_kib(s.process().pid());
  round(200, 50);
  long after = hostile::rss_kib(s.process().pid());
  std::printf("flood of 200 near-limit frames + 50 oversize sockets: VmRSS %ld KiB -> %ld KiB "
              "(growth %ld KiB, bound %ld KiB)\n",
              before, after, after - before, bound_kib);
  ASSERT_GT(before, 0);
  if (test::rss_bounds_apply) {  // not under ASan (test_support.hpp)
    EXPECT_LE(after - before, bound_kib);
  }

  // Still serving; only the flooding socket is counted.
  ASSERT_TRUE(client->barrier().has_value());
  EXPECT_EQ(await_connections(s, token, 1), 1);
  client->close();
  auto audit = hostile::stop_and_audit(s.process());
  EXPECT_EQ(audit.count("flood", "connected"), 56u);
  EXPECT_EQ(audit.count("flood", "disconnected"), 56u);
}

} // namespace
} // namespace presence::test
