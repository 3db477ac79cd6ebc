// The etcd client against a real etcd on 127.0.0.1: reads and writes, transactions, leases.
#include "etcd_client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/etcd_process.hpp"
#include "support/test_support.hpp"

namespace presence::cluster {
namespace {

using namespace std::chrono_literals;

class cluster_etcd_client : public ::testing::Test {
 protected:
  std::unique_ptr<etcd_client> connect() {
    auto client = etcd_client::connect(etcd_.url());
    EXPECT_TRUE(client.ok()) << describe(client.error());
    return client.ok() ? std::move(*client) : nullptr;
  }

  test::etcd_process etcd_;
};

std::vector<std::string> keys_of(const std::vector<etcd_kv>& kvs) {
  std::vector<std::string> keys;
  for (const auto& kv : kvs)
    keys.push_back(kv.key);
  return keys;
}

TEST_F(cluster_etcd_client, keys_and_values_round_trip_byte_for_byte) {
  auto client = connect();
  ASSERT_TRUE(client);
  // Bytes JSON and base64 must carry unchanged: NUL, 0xff, quotes, a backslash, newlines.
  const std::string prefix("n/\0\"\\", 5);
  const std::string binary_value("v\0\xff\xfe\n\"{}", 9);
  const std::vector<std::string> keys = {prefix + "a", prefix + std::string("b\0", 2),
                                         prefix + "\xff", prefix + "\xff\xff" + "z"};
  for (const auto& key : keys)
    ASSERT_OK(client->put(key, key + binary_value));
  ASSERT_OK(client->put(prefix.substr(0, 4) + "]", "sorts after the prefix, outside it"));
  ASSERT_OK(client->put("n0", "outside the prefix"));
  ASSERT_OK(client->put(prefix + "empty", ""));

  auto got = client->get(keys[1]);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key, keys[1]);
  EXPECT_EQ((*got)->value, keys[1] + binary_value);
  EXPECT_GT((*got)->create_revision, 0);
  EXPECT_EQ((*got)->mod_revision, (*got)->create_revision);
  EXPECT_EQ((*got)->lease, 0);

  auto empty = client->get(prefix + "empty");
  ASSERT_OK(empty);
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ((*empty)->value, "");

  auto listed = client->get_prefix(prefix);
  ASSERT_OK(listed);
  auto expected = keys;
  expected.push_back(prefix + "empty");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys_of(*listed), expected);
  for (const auto& kv : *listed) {
    if (kv.key != prefix + "empty") {
      EXPECT_EQ(kv.value, kv.key + binary_value);
    }
  }

  // A prefix ending in 0xff bytes: its range ends where the bytes before them change.
  auto tail = client->get_prefix(prefix + "\xff");
  ASSERT_OK(tail);
  EXPECT_EQ(keys_of(*tail), (std::vector<std::string>{prefix + "\xff", prefix + "\xff\xff" + "z"}));

  auto everything = client->get_prefix("");
  ASSERT_OK(everything);
  EXPECT_EQ(everything->size(), expected.size() + 2);

  // Overwriting moves mod_revision, keeps create_revision.
  ASSERT_OK(client->put(keys[1], "second"));
  auto overwritten = client->get(keys[1]);
  ASSERT_OK(overwritten);
  ASSERT_TRUE(overwritten->has_value());
  EXPECT_EQ((*overwritten)->value, "second");
  EXPECT_EQ((*overwritten)->create_revision, (*got)->create_revision);
  EXPECT_GT((*overwritten)->mod_revision, (*got)->mod_revision);

  ASSERT_OK(client->erase(keys[1]));
  auto erased = client->get(keys[1]);
  ASSERT_OK(erased);
  EXPECT_FALSE(erased->has_value());
  ASSERT_OK(client->erase(keys[1])); // erasing a missing key succeeds
  auto after = client->get_prefix(prefix);
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), expected.size() - 1);
}

TEST_F(cluster_etcd_client, a_missing_key_reads_as_nullopt_and_an_empty_prefix_as_no_keys) {
  auto client = connect();
  ASSERT_TRUE(client);
  auto missing = client->get("nobody/here");
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());
  auto none = client->get_prefix("nobody/");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(cluster_etcd_client, create_if_absent_is_won_by_exactly_one_of_eight_racing_clients) {
  constexpr int racers = 8;
  std::vector<std::unique_ptr<etcd_client>> clients;
  for (int i = 0; i < racers; ++i) {
    clients.push_back(connect());
    ASSERT_TRUE(clients.back());
    ASSERT_OK(clients.back()->get("warm-up")); // each has its connection open before the race
  }
  std::atomic<int> ready{0};
  std::vector<int> created(racers, -1);
  std::vector<std::string> seen(racers);
  std::vector<std::string> errors(racers);
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < racers)
        std::this_thread::yield(); // all start together
      auto won =
        clients[i]->create_if_absent("owner/room-1", "node-" + std::to_string(i), &seen[i]);
      if (won.ok())
        created[i] = *won ? 1 : 0;
      else
        errors[i] = describe(won.error());
    });
  }
  for (auto& thread : threads)
    thread.join();
  int winner = -1;
  for (int i = 0; i < racers; ++i) {
    ASSERT_EQ(errors[i], "") << "racer " << i;
    if (created[i] == 1) {
      EXPECT_EQ(winner, -1) << "racers " << winner << " and " << i << " both created the key";
      winner = i;
    }
  }
  ASSERT_NE(winner, -1) << "nobody created the key";
  const std::string winner_value = "node-" + std::to_string(winner);
  for (int i = 0; i < racers; ++i) {
    if (i != winner) {
      EXPECT_EQ(seen[i], winner_value) << "racer " << i;
    }
  }
  auto stored = clients[0]->get("owner/room-1");
  ASSERT_OK(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->value, winner_value);
}

TEST_F(cluster_etcd_client, replace_if_with_a_stale_revision_changes_nothing) {
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_OK(client->put("owner/room-2", "node-a"));
  auto first = client->get("owner/room-2");
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  auto revision = (*first)->mod_revision;

  auto swapped = client->replace_if("owner/room-2", revision, "node-b");
  ASSERT_OK(swapped);
  EXPECT_TRUE(*swapped);
  auto stale = client->replace_if("owner/room-2", revision, "node-c");
  ASSERT_OK(stale);
  EXPECT_FALSE(*stale);
  auto now = client->get("owner/room-2");
  ASSERT_OK(now);
  ASSERT_TRUE(now->has_value());
  EXPECT_EQ((*now)->value, "node-b");
  EXPECT_GT((*now)->mod_revision, revision);

  // Revision 0 means "only if absent": the key exists, so nothing changes.
  auto absent_only = client->replace_if("owner/room-2", 0, "node-d");
  ASSERT_OK(absent_only);
  EXPECT_FALSE(*absent_only);
}

TEST_F(cluster_etcd_client, revoking_a_lease_deletes_its_keys_and_ends_its_renewals) {
  auto client = connect();
  ASSERT_TRUE(client);
  auto lease = client->grant_lease(30s);
  ASSERT_OK(lease);
  ASSERT_OK(client->put("node/a", "alive", *lease));
  auto created = client->create_if_absent("owner/room-3", "node-a", nullptr, *lease);
  ASSERT_OK(created);
  EXPECT_TRUE(*created);
  auto held = client->get("node/a");
  ASSERT_OK(held);
  ASSERT_TRUE(held->has_value());
  EXPECT_EQ((*held)->lease, *lease);
  auto renewed = client->keep_alive(*lease);
  ASSERT_OK(renewed);
  EXPECT_TRUE(*renewed);

  ASSERT_OK(client->revoke_lease(*lease));
  auto gone = client->get("node/a");
  ASSERT_OK(gone);
  EXPECT_FALSE(gone->has_value());
  auto owner_gone = client->get("owner/room-3");
  ASSERT_OK(owner_gone);
  EXPECT_FALSE(owner_gone->has_value());
  auto after = client->keep_alive(*lease);
  ASSERT_OK(after);
  EXPECT_FALSE(*after);
  ASSERT_OK(client->revoke_lease(*lease)); // already gone: still revoked
}

TEST_F(cluster_etcd_client, a_put_under_a_missing_lease_fails_with_etcds_message) {
  auto client = connect();
  ASSERT_TRUE(client);
  auto put = client->put("node/b", "alive", 12345);
  ASSERT_ERRC(put, errc::storage_failure);
  EXPECT_NE(put.error().message.find("'node/b'"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("lease not found"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find(etcd_.url()), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("HTTP 404"), std::string::npos) << put.error().message;
}

TEST_F(cluster_etcd_client, an_expired_lease_takes_its_key_with_it) {
  auto client = connect();
  ASSERT_TRUE(client);
  auto lease = client->grant_lease(1s); // etcd raises it to its minimum TTL
  ASSERT_OK(lease);
  ASSERT_OK(client->put("node/c", "alive", *lease));
  auto held = client->get("node/c");
  ASSERT_OK(held);
  ASSERT_TRUE(held->has_value());

  auto deadline = std::chrono::steady_clock::now() + 20s;
  bool present = true;
  while (present && std::chrono::steady_clock::now() < deadline) {
    auto now = client->get("node/c");
    ASSERT_OK(now);
    present = now->has_value();
  }
  EXPECT_FALSE(present) << "the key outlived its 1 s lease by 20 s";
  auto renewed = client->keep_alive(*lease);
  ASSERT_OK(renewed);
  EXPECT_FALSE(*renewed);
}

TEST_F(cluster_etcd_client, one_client_serves_several_threads) {
  auto client = connect();
  ASSERT_TRUE(client);
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25 && errors[t].empty(); ++i) {
        auto key = "shared/" + std::to_string(t) + "/" + std::to_string(i);
        if (auto put = client->put(key, key); !put.ok())
          errors[t] = describe(put.error());
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& error : errors)
    EXPECT_EQ(error, "");
  auto all = client->get_prefix("shared/");
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 100u);
}

} // namespace
} // namespace presence::cluster
