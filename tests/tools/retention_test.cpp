// `presencectl retain` on the scenario: where the retained history begins is stated by verify,
// history and export; states from the horizon on are unchanged; an instant before it is refused.
#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

constexpr const char* horizon = "2026-11-21T11:00:00Z";

class retention_tool_test : public ctl_fixture {
 protected:
  void SetUp() override { import(data_file("scenario.jsonl")); }

  std::string out_of(std::vector<std::string> args) {
    auto run = ctl(std::move(args));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }
};

TEST_F(retention_tool_test, retain_folds_the_past_and_every_verb_says_where_history_begins) {
  const auto evening_before = out_of({"inspect", "alice", "--at", "2026-11-21T18:00:00Z", "--json"});
  const auto noon_before = out_of({"inspect", "alice", "--at", "2026-11-21T12:30:00Z", "--json"});
  const auto bob_before = out_of({"inspect", "bob", "--at", "2026-11-21T18:00:00Z", "--json"});

  auto retained = out_of({"retain", "--before", horizon});
  EXPECT_NE(retained.find("retained history begins at 2026-11-21T11:00:00"), std::string::npos)
    << retained;

  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("retained     from seq"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("verify: OK"), std::string::npos) << verified.out;

  EXPECT_EQ(out_of({"inspect", "alice", "--at", "2026-11-21T18:00:00Z", "--json"}), evening_before)
    << "the state is identical";
  EXPECT_EQ(out_of({"inspect", "bob", "--at", "2026-11-21T18:00:00Z", "--json"}), bob_before);
  EXPECT_EQ(out_of({"inspect", "alice", "--at", "2026-11-21T12:30:00Z", "--json"}), noon_before);
  auto early = ctl({"inspect", "alice", "--at", "2026-11-21T10:00:00Z"});
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_NE(early.err.find("outside the retained history"), std::string::npos) << early.err;

  auto history = out_of({"history", "alice"});
  EXPECT_EQ(history.rfind("# retained history begins at 2026-11-21T11:00:00", 0), 0u) << history;
  auto events = ctl({"history", "alice", "--json"});
  for (const auto& ev : events.json_lines())
    EXPECT_GE(ev["ts"].get<std::string>(), "2026-11-21T11:00:00.000000Z") << ev.dump();

  auto exported = ctl({"export", "--out", dir_.sub("trimmed.jsonl")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto again = run_presencectl(dir_, {"--db", dir_.sub("copy"), "import", dir_.sub("trimmed.jsonl")});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("trimmed history"), std::string::npos) << again.err;
}

} // namespace
} // namespace presence::test
