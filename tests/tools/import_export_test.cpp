// `import` validates the whole file before appending anything; export → import → export is
// byte-identical.
#include <fstream>

#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

class import_export_test : public ctl_fixture {
 protected:
  /// Writes `lines` (each followed by a newline) to a file in the temp dir and returns its path.
  std::string write_file(const std::string& name, const std::vector<std::string>& lines) {
    const auto path = dir_.sub(name);
    std::ofstream out(path, std::ios::binary);
    for (const auto& line : lines)
      out << line << '\n';
    return path;
  }
  /// Number of events in the database, through `stats --json`.
  uint64_t event_count() {
    auto run = ctl({"stats", "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.json()["events"].get<uint64_t>();
  }

  const std::string good1 =
    R"({"seq":1,"ts":"2026-11-21T08:00:00Z","stream":"$workspace","type":"user_created","by":"system","via":"","user":"alice","name":"Alice","admin":true})";
  const std::string good2 =
    R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"alice","type":"connected","by":"alice","via":"rtm","conn":"c1","client":"web","epoch":1})";
  const std::string good3 =
    R"({"seq":3,"ts":"2026-11-21T09:01:00Z","stream":"alice","type":"activity","by":"alice","via":"c1","conn":"c1"})";
};

/// Imports `lines` into a fresh database and expects rejection naming `line` and `fault`.
#define EXPECT_REJECTED(lines, line_number, fault)                                               \
  do {                                                                                           \
    auto file_ = write_file("bad.jsonl", lines);                                                 \
    auto run_ = ctl({"import", file_});                                                          \
    EXPECT_EQ(run_.exit_code, 2) << run_.out;                                                    \
    EXPECT_NE(run_.err.find("bad.jsonl:" + std::to_string(line_number) + ": "), std::string::npos) \
      << run_.err;                                                                               \
    EXPECT_NE(run_.err.find(fault), std::string::npos) << run_.err;                              \
    EXPECT_NE(run_.err.find("nothing imported"), std::string::npos) << run_.err;                 \
    EXPECT_EQ(event_count(), 0u);                                                                \
  } while (false)

TEST_F(import_export_test, bad_json_on_line_3_is_named_and_nothing_is_appended) {
  EXPECT_REJECTED((std::vector<std::string>{good1, good2, R"({"seq":3,"ts": oops})"}), 3,
                  "invalid_json");
}

TEST_F(import_export_test, unknown_type_is_named) {
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"alice","type":"teleported","by":"alice","via":""})"}),
                  2, "unknown event type 'teleported'");
}

TEST_F(import_export_test, gap_in_seq_is_named) {
  auto gap = good3;
  gap.replace(gap.find("\"seq\":3"), 7, "\"seq\":5");
  EXPECT_REJECTED((std::vector<std::string>{good1, good2, gap}), 3,
                  "seq 5 does not continue the sequence (expected 3)");
}

TEST_F(import_export_test, time_going_backwards_is_named) {
  auto early = good3;
  early.replace(early.find("09:01:00"), 8, "08:59:59");
  EXPECT_REJECTED((std::vector<std::string>{good1, good2, early}), 3, "is before the previous");
}

TEST_F(import_export_test, missing_and_mistyped_fields_and_bad_ids_are_named) {
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"alice","type":"connected","by":"alice","via":"","conn":"c1","epoch":1})"}),
                  2, "field 'client' is missing");
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"alice","type":"connected","by":"alice","via":"","conn":"c1","client":"web","epoch":"1"})"}),
                  2, "field 'epoch' must be a non-negative integer");
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"al ice","type":"away","by":"system","via":""})"}),
                  2, "field 'stream' is not a valid user id");
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"2026-11-21T09:00:00Z","stream":"alice","type":"away","by":"system","via":"","mood":"sleepy"})"}),
                  2, "field 'mood' is not a field of this event type");
  EXPECT_REJECTED((std::vector<std::string>{good1, R"({"seq":2,"ts":"yesterday","stream":"alice","type":"away","by":"system","via":""})"}),
                  2, "field 'ts' is not an RFC 3339 time");
}

TEST_F(import_export_test, every_bad_line_is_listed) {
  auto file = write_file("bad.jsonl", {good1, "{", good3, "[]"});
  auto run = ctl({"import", file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("2 bad lines"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("bad.jsonl:2: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("bad.jsonl:4: "), std::string::npos) << run.err;
  EXPECT_EQ(event_count(), 0u);
}

TEST_F(import_export_test, a_rejected_file_leaves_an_existing_database_unchanged) {
  import(write_file("first.jsonl", {good1, good2}));
  auto before = ctl({"export"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  // good3 continues at seq 3; the second line repeats it.
  auto run = ctl({"import", write_file("second.jsonl", {good3, good3})});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("second.jsonl:2: seq 3 does not continue the sequence (expected 4)"),
            std::string::npos)
    << run.err;
  EXPECT_EQ(ctl({"export"}).out, before.out);
}

TEST_F(import_export_test, lines_without_seq_continue_the_database) {
  import(write_file("first.jsonl", {good1, good2}));
  auto no_seq = good3;
  no_seq.erase(no_seq.find("\"seq\":3,"), 8);
  auto run = ctl({"import", write_file("second.jsonl", {no_seq, no_seq})});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("imported 2 events (seq 3..4)"), std::string::npos) << run.out;
  auto lines = ctl({"export"}).json_lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2]["seq"], 3);
  EXPECT_EQ(lines[3]["seq"], 4);
  EXPECT_EQ(lines[3]["type"], "activity");
}

TEST_F(import_export_test, export_of_an_imported_export_file_is_the_same_file) {
  // all_types.jsonl is written in the exact export format and holds every event type.
  import(data_file("all_types.jsonl"));
  auto run = ctl({"export"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, read_whole_file(data_file("all_types.jsonl")));
}

TEST_F(import_export_test, export_import_export_round_trip_is_byte_identical) {
  import(data_file("scenario.jsonl"));
  const auto exported = dir_.sub("first.jsonl");
  auto first = ctl({"export", "--out", exported});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("exported 23 events"), std::string::npos) << first.out;

  temp_dir other;
  const auto other_db = other.sub("db");
  auto imported = run_presencectl(other, {"--db", other_db, "import", exported});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto second = run_presencectl(other, {"--db", other_db, "export"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto first_text = read_whole_file(exported);
  EXPECT_EQ(second.out, first_text);
  ASSERT_FALSE(first_text.empty());
  // Oldest first, numbered from 1, fields in the documented order.
  EXPECT_EQ(first_text.rfind(R"({"seq":1,"ts":"2026-11-21T08:00:00.000000Z","stream":"$workspace","type":"epoch_started","by":"system","via":"startup","epoch":1})", 0), 0u);
}

TEST_F(import_export_test, import_of_a_missing_file_is_an_error) {
  auto run = ctl({"import", dir_.sub("nope.jsonl")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("cannot read"), std::string::npos) << run.err;
}

} // namespace
} // namespace presence::test
