// A cluster of three presenced nodes and a real etcd on 127.0.0.1 (docs/cluster.md): the workspace
// replica, commands and presence across nodes, the connection limit over every node, and a node
// killed and restarted.

#include <chrono>
#include <string>

#include "cluster_fixture.hpp"
#include "tools/presencectl_runner.hpp"

namespace presence::test {
namespace {

class cluster : public cluster_fixture {};

TEST_F(cluster, the_cluster_info_lists_every_node_and_the_map) {
  start(3);
  json info;
  // Ready means joined with the map known; the others may still be linking.
  ASSERT_TRUE(eventually([&] {
    info = call(1, "admin.cluster.info", admin());
    for (const auto& n : info.value("nodes", json::array()))
      if (n["alive"] != true)
        return false;
    return info.value("ok", false);
  })) << info.dump();
  EXPECT_EQ(info["partitions"], 16);
  EXPECT_EQ(info["workspace_owner"], "n1");
  ASSERT_EQ(info["nodes"].size(), 3u);
  std::size_t partitions = 0;
  for (const auto& n : info["nodes"]) {
    EXPECT_EQ(n["alive"], true) << n.dump();
    EXPECT_NE(n["cluster_address"], "") << n.dump();
    partitions += n["partitions"].size();
  }
  EXPECT_EQ(partitions, 16u);
  auto located = call(2, "admin.cluster.locate", admin(), {{"user", "alice"}});
  EXPECT_EQ(located.value("user", ""), "alice");
  EXPECT_LT(located.value("partition", 99), 16);
  EXPECT_EQ(call(0, "admin.cluster.locate", admin(), {{"user", "bad id"}})["error"],
            "user_not_found");
  // Admins only.
  auto token = create_user(0, "mallory");
  EXPECT_EQ(call(0, "admin.cluster.info", token)["error"], "not_admin");
}

TEST_F(cluster, a_user_created_on_node_1_signs_in_on_node_3_and_node_2_sees_its_presence) {
  start(3);
  auto target = user_owned_by(0, "target");
  auto token = create_user(0, target);
  // Created through node 2 (forwarded to the workspace owner): its token works there at once.
  auto watcher = create_user(1, "watcher");
  EXPECT_EQ(call(1, "auth.test", watcher).value("ok", false), true);
  // The workspace stream reaches node 3 within a second (users.info as the admin: a refused token
  // is answered late on purpose).
  ASSERT_TRUE(eventually(
    [&] { return call(2, "users.info", admin(), {{"user", target}}).value("ok", false); },
    std::chrono::seconds(1)));
  ASSERT_TRUE(eventually([&] { return call(2, "auth.test", token).value("ok", false); },
                         std::chrono::seconds(2)));

  auto watching = open_socket(1, watcher);
  ASSERT_TRUE(watching->send(json{{"type", "presence_sub"}, {"ids", {target}}}));
  ASSERT_TRUE(watching->await([&](const json& f) { return is_change(f, target, "away"); }))
    << node(1).stderr_text();
  // The target's socket is on node 3, its actor on node 1, its watcher on node 2.
  auto socket = open_socket(2, token);
  ASSERT_TRUE(watching->await([&](const json& f) { return is_change(f, target, "active"); }))
    << node(1).stderr_text();
  EXPECT_EQ(presence_on(0, target), "active");
  auto set = call(2, "users.setPresence", token, {{"presence", "away"}});
  EXPECT_EQ(set.value("ok", false), true) << set.dump();
  ASSERT_TRUE(watching->await([&](const json& f) { return is_change(f, target, "away"); }));
  // Its own socket, on another node than its actor, hears its manual change.
  ASSERT_TRUE(socket->await([](const json& f) {
    return f.value("type", "") == "manual_presence_change" && f.value("presence", "") == "away";
  })) << node(2).stderr_text();
  call(2, "users.setPresence", token, {{"presence", "auto"}});
  ASSERT_TRUE(watching->await([&](const json& f) { return is_change(f, target, "active"); }));
  // A status set through node 3 reaches node 2's socket as user_change, profile and all.
  auto status = call(2, "users.profile.set", token,
                     {{"profile", {{"status_text", "Lunch"}, {"status_emoji", ":hamburger:"}}}});
  ASSERT_EQ(status.value("ok", false), true) << status.dump();
  ASSERT_TRUE(watching->await([&](const json& f) {
    return f.value("type", "") == "user_change" && f["user"].value("id", "") == target &&
           f["user"]["profile"].value("status_text", "") == "Lunch";
  })) << node(1).stderr_text();
  socket.reset();
  ASSERT_TRUE(watching->await([&](const json& f) { return is_change(f, target, "away"); }));
  EXPECT_EQ(presence_on(1, target), "away");
}

TEST_F(cluster, a_revocation_through_one_node_closes_sockets_on_the_others) {
  start(3);
  auto revoked_user = user_owned_by(1, "revoked");
  auto token = create_user(0, revoked_user);
  auto leaver = create_user(0, "leaver");
  ASSERT_TRUE(eventually([&] { return call(2, "auth.test", leaver).value("ok", false); }));
  ASSERT_EQ(call(2, "auth.test", token).value("user_id", ""), revoked_user);
  auto on_node_3 = open_socket(2, token);
  auto leaving = open_socket(2, leaver);
  // A second token of the same user, then revoked.
  auto issued = call(0, "admin.tokens.issue", admin(), {{"user", revoked_user}});
  ASSERT_EQ(issued.value("ok", false), true) << issued.dump();
  auto second = issued.value("token", "");
  ASSERT_TRUE(eventually([&] { return call(2, "auth.test", second).value("ok", false); }));
  auto second_socket = open_socket(2, second);
  auto revoked = call(0, "admin.tokens.revoke", admin(), {{"token_id", issued["token_id"]}});
  ASSERT_EQ(revoked.value("ok", false), true) << revoked.dump();
  // Revoked on node 1: node 3 closes that token's socket, and only that one.
  ASSERT_TRUE(second_socket->await_close(milliseconds(5000))) << node(2).stderr_text();
  EXPECT_EQ(second_socket->close_reason().code, 1008u);
  EXPECT_EQ(second_socket->close_reason().reason, "token_revoked");
  EXPECT_EQ(call(2, "auth.test", second)["error"], "token_revoked");
  EXPECT_FALSE(on_node_3->closed());
  // Deactivated through node 2: its sockets on node 3 close too.
  auto gone = call(1, "admin.users.deactivate", admin(), {{"user", "leaver"}});
  ASSERT_EQ(gone.value("ok", false), true) << gone.dump();
  ASSERT_TRUE(leaving->await_close(milliseconds(5000))) << node(2).stderr_text();
  EXPECT_EQ(leaving->close_reason().code, 1008u);
  EXPECT_EQ(leaving->close_reason().reason, "account_inactive");
  EXPECT_FALSE(on_node_3->closed());
}

TEST_F(cluster, every_node_stops_cleanly_when_all_are_stopped_at_once) {
  start(3);
  std::vector<std::unique_ptr<ws_client>> sockets;
  for (int owner = 0; owner < 3; ++owner) {
    auto token = create_user(0, user_owned_by(owner, "stop" + std::to_string(owner) + "-"));
    ASSERT_TRUE(eventually([&] { return call(2, "auth.test", token).value("ok", false); }));
    // Each user's sockets on every node: their disconnects cross nodes that are stopping too.
    for (int at = 0; at < 3; ++at)
      sockets.push_back(open_socket(at, token));
  }
  for (auto& n : nodes_)
    ::kill(n->pid(), SIGTERM);
  for (auto& n : nodes_)
    EXPECT_EQ(n->stop(), 0) << n->stderr_text();
}

TEST_F(cluster, the_connection_limit_counts_every_node_and_switches_the_service_everywhere) {
  start(3, {"--connection-limit", "2", "--auto-reenable-below", "2"});
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i)
    tokens.push_back(create_user(0, user_owned_by(i, "limit" + std::to_string(i) + "-")));
  ASSERT_TRUE(eventually([&] { return call(2, "auth.test", tokens[2]).value("ok", false); }));
  auto first = open_socket(0, tokens[0]);
  auto second = open_socket(1, tokens[1]);
  // The third connection, on the third node, takes the sum past the limit.
  auto third = open_socket(2, tokens[2]);
  for (auto* socket : {first.get(), second.get(), third.get()})
    ASSERT_TRUE(socket->await([](const json& f) {
      return f.value("type", "") == "presence_service_status" && f.value("enabled", true) == false;
    }, milliseconds(10000)));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(eventually([&] {
      http_client http{node(i).host(), node(i).port()};
      auto answer = http.get("/api/v1/presence.getConnections",
                             {{"X-Auth-Token", admin()}, {"X-User-Id", "admin"}}).json();
      return answer.value("current", 0) == 3 && answer.value("max", 0) == 2;
    })) << "node " << i;
  }
  // Two go: one left, below auto_reenable_below, and the service is back on everywhere.
  second.reset();
  third.reset();
  ASSERT_TRUE(first->await([](const json& f) {
    return f.value("type", "") == "presence_service_status" && f.value("enabled", false) == true;
  }, milliseconds(10000)));
}

TEST_F(cluster, a_killed_node_s_users_go_offline_everywhere_and_it_rejoins) {
  start(3);
  // `passer` is owned by node 1 and connected only through node 3; `stranded` is owned by node 3
  // and connected through node 1.
  auto passer = user_owned_by(0, "passer");
  auto stranded = user_owned_by(2, "stranded");
  auto passer_token = create_user(0, passer);
  auto stranded_token = create_user(0, stranded);
  ASSERT_TRUE(eventually([&] { return call(2, "auth.test", passer_token).value("ok", false); }));
  auto passing = open_socket(2, passer_token);
  auto staying = open_socket(0, stranded_token);
  ASSERT_TRUE(eventually([&] { return presence_on(1, passer) == "active"; }));
  ASSERT_EQ(presence_on(0, stranded), "active");

  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(node(2).kill_hard());
  // Within the lease TTL + 2 s the survivors read the passer offline.
  ASSERT_TRUE(eventually([&] { return presence_on(0, passer) == "away" &&
                                      presence_on(1, passer) == "away"; },
                         std::chrono::seconds(lease_ttl_s + 2)));
  auto seen_after = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LE(seen_after, std::chrono::seconds(lease_ttl_s + 2));
  // The survivors' sockets of the lost node's users are told to reconnect.
  ASSERT_TRUE(staying->await([](const json& f) { return f.value("type", "") == "goodbye"; },
                             milliseconds(5000)));
  EXPECT_TRUE(staying->await_close(milliseconds(5000)));
  EXPECT_EQ(staying->close_reason().code, 1012u);
  // Requests about its users answer `unavailable` until it is back.
  EXPECT_EQ(status_of(0, "users.getPresence", admin(), {{"user", stranded}}), 503u);
  EXPECT_EQ(call(1, "users.getPresence", admin(), {{"user", stranded}})["error"], "unavailable");
  auto info = call(0, "admin.cluster.info", admin());
  for (const auto& n : info["nodes"])
    EXPECT_EQ(n["alive"], n["id"] != "n3") << n.dump();

  // Restarted with the same id and data: it recovers its partitions and rejoins.
  nodes_[2] = launch(2);
  ASSERT_TRUE(await_ready(2)) << node(2).stderr_text();
  ASSERT_TRUE(eventually([&] { return presence_on(0, stranded) == "away"; }));
  EXPECT_EQ(presence_on(2, passer), "away");
  auto back = open_socket(2, stranded_token);
  EXPECT_TRUE(eventually([&] { return presence_on(1, stranded) == "active"; }));
  back.reset();
  passing.reset();

  stop_all();
  // The passer's owner logged its socket's end as node_lost; every data dir verifies.
  temp_dir scratch;
  auto exported = run_presencectl(scratch, {"--db", dir_.sub("n1"), "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  bool lost = false;
  for (const auto& ev : exported.json_lines())
    lost = lost || (ev.value("stream", "") == passer && ev.value("type", "") == "disconnected" &&
                    ev.value("reason", "") == "node_lost");
  EXPECT_TRUE(lost) << exported.out;
  for (const auto& id : ids_) {
    auto verified = run_presencectl(scratch, {"--db", dir_.sub(id), "verify"});
    EXPECT_EQ(verified.exit_code, 0) << id << ": " << verified.out << verified.err;
  }
}

} // namespace
} // namespace presence::test
