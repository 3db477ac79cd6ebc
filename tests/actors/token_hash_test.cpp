#include "token_hash.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::actors {
namespace {

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(token_hash, secret_has_prefix_and_256_random_bits) {
  auto secret = new_token_secret();
  ASSERT_OK(secret);
  ASSERT_EQ(secret->rfind("xoxp-", 0), 0u) << *secret;
  auto hex = secret->substr(5);
  EXPECT_EQ(hex.size(), 2 * token_secret_bytes);
  EXPECT_TRUE(is_lower_hex(hex)) << *secret;
}

TEST(token_hash, secrets_and_ids_do_not_repeat) {
  std::set<std::string> secrets;
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto secret = new_token_secret();
    auto id = new_random_id("T");
    ASSERT_OK(secret);
    ASSERT_OK(id);
    secrets.insert(*secret);
    ids.insert(*id);
  }
  EXPECT_EQ(secrets.size(), 1000u);
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(token_hash, id_is_prefix_and_16_hex_digits) {
  auto id = new_random_id("P");
  ASSERT_OK(id);
  ASSERT_EQ(id->size(), 17u);
  EXPECT_EQ((*id)[0], 'P');
  EXPECT_TRUE(is_lower_hex(id->substr(1)));
}

TEST(token_hash, sha256_matches_known_vectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(token_hash, hash_is_not_the_secret_and_is_deterministic) {
  auto secret = new_token_secret();
  ASSERT_OK(secret);
  auto hash = sha256_hex(*secret);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash, sha256_hex(*secret));
  EXPECT_EQ(hash.find(secret->substr(5)), std::string::npos);
  EXPECT_NE(hash, sha256_hex(*secret + "x"));
}

TEST(token_hash, constant_time_equal_compares_content_and_length) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

} // namespace
} // namespace presence::actors
