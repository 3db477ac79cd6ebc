// try_handle: the hand-written dispatch of user actors' default handler.
#include "message_dispatch.hpp"

#include <cstdint>
#include <string>

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace presence::actors {
namespace {

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;

/// Runs try_handle<ping_atom, std::string, int64_t> on `msg`; records what the handler saw.
struct probe {
  int calls = 0;
  std::string text;
  int64_t number = 0;

  bool run(const caf::message& msg) {
    const auto& xs = msg.content();
    return try_handle<ping_atom, std::string, int64_t>(
      xs, xs.get_as<caf::atom_value>(0), [this](const std::string& t, int64_t n) {
        ++calls;
        text = t;
        number = n;
      });
  }
};

TEST(message_dispatch_test, a_matching_message_calls_the_handler_with_its_elements) {
  probe p;
  EXPECT_TRUE(p.run(caf::make_message(ping_atom::value, std::string{"hello"}, int64_t{42})));
  EXPECT_EQ(p.calls, 1);
  EXPECT_EQ(p.text, "hello");
  EXPECT_EQ(p.number, 42);
}

TEST(message_dispatch_test, another_atom_with_the_same_elements_does_not_match) {
  probe p;
  EXPECT_FALSE(p.run(caf::make_message(pong_atom::value, std::string{"hello"}, int64_t{42})));
  EXPECT_EQ(p.calls, 0);
}

TEST(message_dispatch_test, wrong_types_or_counts_do_not_match) {
  probe p;
  EXPECT_FALSE(p.run(caf::make_message(ping_atom::value, std::string{"hello"})));
  EXPECT_FALSE(p.run(caf::make_message(ping_atom::value, int64_t{42}, std::string{"hello"})));
  EXPECT_FALSE(
    p.run(caf::make_message(ping_atom::value, std::string{"hello"}, int64_t{42}, true)));
  EXPECT_FALSE(p.run(caf::make_message(ping_atom::value, std::string{"hello"}, int32_t{42})));
  EXPECT_EQ(p.calls, 0);
}

TEST(message_dispatch_test, an_atom_alone_matches_an_empty_element_list) {
  int calls = 0;
  auto msg = caf::make_message(pong_atom::value);
  const auto& xs = msg.content();
  EXPECT_TRUE(try_handle<pong_atom>(xs, pong_atom::value, [&] { ++calls; }));
  EXPECT_FALSE(try_handle<ping_atom>(xs, pong_atom::value, [&] { ++calls; }));
  EXPECT_EQ(calls, 1);
}

} // namespace
} // namespace presence::actors
