// The partition map and member records as etcd stores them, and the partition hash.

#include "partition_map.hpp"

#include <map>

#include <gtest/gtest.h>

#include "presence/cluster/node.hpp"

namespace presence::cluster {
namespace {

TEST(partition_map, the_hash_is_fnv1a_and_stable) {
  // FNV-1a 64 of "" is the offset basis; of "a" is 0xaf63dc4c8601ec8c.
  EXPECT_EQ(partition_of("", 1000), 14695981039346656037ull % 1000);
  EXPECT_EQ(partition_of("a", 4096), 0xaf63dc4c8601ec8cull % 4096);
  EXPECT_EQ(partition_of("alice", 64), partition_of("alice", 64));
  // Spread: 6,400 ids over 64 partitions, none empty or more than twice the mean.
  std::map<uint32_t, int> counts;
  for (int i = 0; i < 6400; ++i)
    ++counts[partition_of("user" + std::to_string(i), 64)];
  EXPECT_EQ(counts.size(), 64u);
  for (const auto& [p, n] : counts)
    EXPECT_LT(n, 200) << p;
}

TEST(partition_map, the_initial_map_deals_partitions_round_robin_and_round_trips) {
  auto map = initial_map({"n1", "n2", "n3"}, 8);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->workspace_owner, "n1");
  EXPECT_EQ(map->owners, (std::vector<std::string>{"n1", "n2", "n3", "n1", "n2", "n3", "n1", "n2"}));
  EXPECT_EQ(map->partitions_of("n3"), (std::vector<uint32_t>{2, 5}));
  auto decoded = decode_map(encode_map(*map));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->owners, map->owners);
  EXPECT_EQ(decoded->owner_of("alice"), map->owners[partition_of("alice", 8)]);
}

TEST(partition_map, bad_maps_and_node_lists_are_refused) {
  EXPECT_EQ(initial_map({}, 8).error().code, errc::invalid_setting);
  EXPECT_EQ(initial_map({"n1", "n1"}, 8).error().code, errc::invalid_setting);
  EXPECT_EQ(initial_map({"n1"}, 0).error().code, errc::invalid_setting);
  EXPECT_EQ(initial_map({"n1"}, 4097).error().code, errc::invalid_setting);
  for (const char* text : {"", "[]", "{\"partitions\":2,\"workspace_owner\":\"n1\",\"owners\":[\"n1\"]}",
                           "{\"partitions\":1,\"owners\":[\"n1\"]}", "not json"})
    EXPECT_EQ(decode_map(text).error().code, errc::invalid_json) << text;
}

TEST(partition_map, member_records_round_trip_and_addresses_split) {
  member_record me{"n2", "http://127.0.0.1:8082", "127.0.0.1:41000", 17, "abc"};
  auto back = decode_member(encode_member(me));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->cluster_address, "127.0.0.1:41000");
  EXPECT_EQ(back->connections, 17u);
  EXPECT_EQ(decode_member("{\"id\":1}").error().code, errc::invalid_json);
  auto split = split_address("[::1]:9000");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->first, "::1");
  EXPECT_EQ(split->second, 9000);
  for (const char* bad : {"host", ":1", "host:", "host:99999", "host:12x"})
    EXPECT_EQ(split_address(bad).error().code, errc::invalid_setting) << bad;
}

} // namespace
} // namespace presence::cluster
