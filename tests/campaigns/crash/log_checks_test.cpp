// The campaign's own checks must be able to fail: a lost or reordered acknowledged write, a
// connection of a dead epoch left open, a stale connection closed for the wrong reason.

#include <fstream>

#include "log_checks.hpp"
#include "support/test_support.hpp"

namespace {

using namespace presence::crash;
using nlohmann::json;

exported_log log_of(const std::vector<json>& events) {
  presence::test::temp_dir dir;
  auto path = dir.sub("export.jsonl");
  {
    std::ofstream out(path);
    for (const auto& event : events)
      out << event.dump() << '\n';
    out << "not json\n";
  }
  exported_log log;
  EXPECT_TRUE(read_export(path, log));
  return log;
}

json status(uint64_t seq, const std::string& user, const std::string& text) {
  return {{"seq", seq}, {"stream", user}, {"type", "status_set"}, {"text", text}};
}

json epoch(uint64_t seq, uint64_t n) {
  return {{"seq", seq}, {"stream", "$workspace"}, {"type", "epoch_started"}, {"epoch", n}};
}

json connected(uint64_t seq, const std::string& user, const std::string& conn, uint64_t n) {
  return {{"seq", seq}, {"stream", user}, {"type", "connected"}, {"conn", conn}, {"epoch", n}};
}

json disconnected(uint64_t seq, const std::string& user, const std::string& conn,
                  const std::string& reason) {
  return {{"seq", seq}, {"stream", user}, {"type", "disconnected"}, {"conn", conn},
          {"reason", reason}};
}

write_record acked_status(const std::string& user, const std::string& text) {
  return {user, {{"type", "status_set"}, {"text", text}}, 1};
}

TEST(log_checks, acknowledged_writes_must_be_there_in_order) {
  auto log = log_of({epoch(1, 1), status(2, "a", "one"), status(3, "b", "x"), status(4, "a", "two")});
  EXPECT_EQ(log.bad_lines, 1u);
  EXPECT_EQ(log.current_epoch, 1u);
  EXPECT_TRUE(missing_writes(log, {acked_status("a", "one"), acked_status("a", "two"),
                                   acked_status("b", "x")})
                .empty());
  // Reordered: "one" after "two" is not in the log.
  auto reordered = missing_writes(log, {acked_status("a", "two"), acked_status("a", "one")});
  ASSERT_EQ(reordered.size(), 1u);
  EXPECT_EQ(reordered[0].match["text"], "one");
  // Lost, and in another stream: a write is matched only in its own stream.
  auto lost = missing_writes(log, {acked_status("a", "three"), acked_status("a", "x")});
  EXPECT_EQ(lost.size(), 2u);
  EXPECT_EQ(writes_found(log, {acked_status("b", "x"), acked_status("b", "one")}), 1u);
}

TEST(log_checks, connections_of_a_dead_epoch_must_be_closed_at_restart) {
  auto good = audit_connections(log_of({epoch(1, 1), connected(2, "a", "c1", 1),
                                        connected(3, "a", "c2", 1), disconnected(4, "a", "c2", "closed"),
                                        epoch(5, 2), disconnected(6, "a", "c1", "server_restart")}));
  EXPECT_TRUE(good.faults.empty()) << good.faults[0];
  EXPECT_EQ(good.closed_at_restart, 1u);
  EXPECT_EQ(good.open_now, 0u);

  auto left_open = audit_connections(log_of({epoch(1, 1), connected(2, "a", "c1", 1), epoch(3, 2)}));
  ASSERT_EQ(left_open.faults.size(), 1u);
  EXPECT_NE(left_open.faults[0].find("dead epoch"), std::string::npos);

  auto wrong_reason = audit_connections(log_of({epoch(1, 1), connected(2, "a", "c1", 1), epoch(3, 2),
                                                disconnected(4, "a", "c1", "closed")}));
  EXPECT_EQ(wrong_reason.faults.size(), 1u);

  auto wrong_epoch = audit_connections(log_of({epoch(1, 1), epoch(2, 2), connected(3, "a", "c1", 1),
                                               disconnected(4, "a", "c1", "closed"),
                                               disconnected(5, "a", "c9", "closed")}));
  EXPECT_EQ(wrong_epoch.faults.size(), 2u);  // connected with a stale epoch; unknown disconnect
}

} // namespace
