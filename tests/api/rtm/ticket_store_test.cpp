#include "rtm/ticket_store.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace {

using presence::api::rtm::random_url_token;
using presence::api::rtm::ticket_store;

constexpr int64_t second = 1'000'000;

bool url_safe(const std::string& text) {
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return false;
  return true;
}

TEST(rtm_ticket_store, tickets_are_random_url_safe_and_at_least_128_bits) {
  ticket_store store;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto ticket = store.issue({"U1", "T0123", {}}, 0);
    EXPECT_GE(ticket.size() * 6, 128u) << ticket;
    EXPECT_TRUE(url_safe(ticket)) << ticket;
    seen.insert(ticket);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(rtm_ticket_store, redeems_once_for_the_right_user) {
  ticket_store store;
  auto ticket = store.issue({"U1", "T0123", {}}, 10 * second, 30 * second, "mobile");
  std::string client;
  auto user = store.redeem(ticket, 11 * second, &client);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->user, "U1");
  EXPECT_EQ(user->token_id, "T0123") << "a ticket carries the id of the token it was issued to";
  EXPECT_EQ(client, "mobile") << "a ticket carries the client kind it was issued for";
  EXPECT_FALSE(store.redeem(ticket, 11 * second).has_value()) << "a ticket is one-time";
  EXPECT_EQ(store.size(), 0u);
}

TEST(rtm_ticket_store, unknown_ticket_is_refused) {
  ticket_store store;
  (void)store.issue({"U1", "T0123", {}}, 0);
  EXPECT_FALSE(store.redeem("not-a-ticket", 0).has_value());
  EXPECT_EQ(store.size(), 1u);
}

TEST(rtm_ticket_store, expires_after_thirty_seconds) {
  ticket_store store;
  auto live = store.issue({"U1", "T0123", {}}, 0);
  auto dead = store.issue({"U2", "T0123", {}}, 0);
  EXPECT_TRUE(store.redeem(live, 30 * second - 1).has_value());
  EXPECT_FALSE(store.redeem(dead, 30 * second).has_value()) << "expired at issue + 30 s";
}

TEST(rtm_ticket_store, expired_tickets_are_purged_on_redeem_and_issue) {
  ticket_store store;
  for (int i = 0; i < 10; ++i)
    (void)store.issue({"U" + std::to_string(i), "T0123", {}}, 0);
  EXPECT_EQ(store.size(), 10u);
  EXPECT_FALSE(store.redeem("whatever", 31 * second).has_value());
  EXPECT_EQ(store.size(), 0u) << "redeem purges expired tickets";

  for (int i = 0; i < 10; ++i)
    (void)store.issue({"U" + std::to_string(i), "T0123", {}}, 0);
  (void)store.issue({"U", "T0123", {}}, 40 * second);
  EXPECT_EQ(store.size(), 1u) << "issue purges expired tickets";
}

TEST(rtm_ticket_store, custom_ttl) {
  ticket_store store;
  auto ticket = store.issue({"U1", "T0123", {}}, 0, 2 * second);
  EXPECT_FALSE(store.redeem(ticket, 2 * second).has_value());
}

TEST(rtm_ticket_store, random_url_token_length) {
  EXPECT_EQ(random_url_token(3).size(), 4u);
  EXPECT_EQ(random_url_token(24).size(), 32u);
  EXPECT_EQ(random_url_token(1).size(), 2u);
  EXPECT_TRUE(random_url_token(0).empty());
}

} // namespace
