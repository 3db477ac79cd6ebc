// The one routing rule of the directory and broadcaster shards (actors/src/shard.hpp).
#include "shard.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace presence::actors {
namespace {

TEST(user_shard, is_stable_and_in_range) {
  EXPECT_EQ(user_shard("alice", 1), 0u);
  EXPECT_EQ(user_shard("alice", 4), user_shard("alice", 4));
  std::vector<int> hits(4);
  for (int i = 0; i < 400; ++i)
    ++hits.at(user_shard("user" + std::to_string(i), 4));
  for (auto count : hits)
    EXPECT_GT(count, 50) << "spread over every shard";
}

TEST(user_shard, splits_users_evenly_over_eight_shards) {
  EXPECT_EQ(user_shard("U1", 8), user_shard("U1", 8));
  std::vector<int> per_shard(8);
  for (int i = 0; i < 8000; ++i)
    ++per_shard.at(user_shard("U" + std::to_string(i), 8));
  for (int n : per_shard)
    EXPECT_GT(n, 800);
}

TEST(user_shard, no_shards_means_shard_zero) {
  EXPECT_EQ(user_shard("alice", 0), 0u);
}

// The rule is FNV-1a: fixed values keep the routing of an existing deployment unchanged.
TEST(user_shard, matches_fnv1a_of_the_id) {
  static_assert(user_shard("", 1u << 31) == 14695981039346656037ull % (1u << 31));
  EXPECT_EQ(user_shard("a", 1000003), 0xaf63dc4c8601ec8cull % 1000003);
}

} // namespace
} // namespace presence::actors
