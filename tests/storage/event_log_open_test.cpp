// Opening the event log: modes, a second writer, and the precise errors of a missing directory,
// a newer schema and damaged records.
#include "presence/storage/event_log.hpp"

#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_fixtures.hpp"

namespace presence::storage {
namespace {

using events::event;
using test::make_event;
using test::open_log;
using test::read_all;

using test::append_events;
using test::open_writer;

/// Creates a database at `path` holding `count` events of "alice", and closes it.
void create_with_events(const std::string& path, std::size_t count) {
  auto log = open_writer(path);
  ASSERT_NE(log, nullptr);
  append_events(*log, count);
}

TEST(event_log_open, missing_directory_without_create_is_database_missing) {
  test::temp_dir dir;
  open_options options;
  options.path = dir.sub("absent");
  options.create_if_missing = false;
  ASSERT_ERRC(event_log::open(options), errc::database_missing);
  ASSERT_ERRC(open_log(dir.sub("absent"), open_mode::read_only), errc::database_missing);
  ASSERT_ERRC(open_log(dir.sub("absent"), open_mode::secondary), errc::database_missing);
  // An existing but empty directory is not a database either.
  ASSERT_ERRC(open_log(dir.path().string(), open_mode::read_only), errc::database_missing);
}

TEST(event_log_open, creates_and_reopens) {
  test::temp_dir dir;
  create_with_events(dir.sub("db"), 3);
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->last_sequence(), 3u);
  EXPECT_EQ(read_all(*log).size(), 3u);
}

TEST(event_log_open, read_only_and_secondary_while_a_writer_is_open) {
  test::temp_dir dir;
  auto writer = open_writer(dir.sub("db"));
  ASSERT_NE(writer, nullptr);
  append_events(*writer, 5);

  auto ro = open_log(dir.sub("db"), open_mode::read_only);
  ASSERT_OK(ro);
  EXPECT_EQ((*ro)->last_sequence(), 5u);
  EXPECT_EQ(read_all(**ro).size(), 5u);

  open_options secondary_options;
  secondary_options.path = dir.sub("db");
  secondary_options.mode = open_mode::secondary;
  secondary_options.secondary_path = dir.sub("secondary");
  auto secondary = event_log::open(secondary_options);
  ASSERT_OK(secondary);
  EXPECT_EQ((*secondary)->last_sequence(), 5u);

  append_events(*writer, 4);
  auto epoch = writer->start_epoch(100);
  ASSERT_OK(epoch);
  // Before catching up the secondary still shows its old view; afterwards the new writes.
  EXPECT_EQ((*secondary)->last_sequence(), 5u);
  ASSERT_OK((*secondary)->catch_up());
  EXPECT_EQ((*secondary)->last_sequence(), 10u);
  EXPECT_EQ((*secondary)->current_epoch(), *epoch);
  auto all = read_all(**secondary);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_TRUE(std::holds_alternative<events::epoch_started>(all.back().body));
  std::vector<event> batch{make_event("alice", 1, events::away{})};
  ASSERT_ERRC((*secondary)->append(batch), errc::read_only);
  ASSERT_OK((*ro)->catch_up()); // a no-op outside secondary mode
  EXPECT_EQ((*ro)->last_sequence(), 5u);
}

TEST(event_log_open, secondary_without_a_path_uses_and_removes_a_temporary_directory) {
  test::temp_dir dir;
  auto writer = open_writer(dir.sub("db"));
  ASSERT_NE(writer, nullptr);
  append_events(*writer, 2);
  auto secondary = open_log(dir.sub("db"), open_mode::secondary);
  ASSERT_OK(secondary);
  EXPECT_EQ(read_all(**secondary).size(), 2u);
  EXPECT_TRUE((*secondary)->options().secondary_path.empty());
}

TEST(event_log_open, a_second_writer_in_this_process_is_database_busy) {
  test::temp_dir dir;
  auto writer = open_writer(dir.sub("db"));
  ASSERT_NE(writer, nullptr);
  ASSERT_ERRC(open_log(dir.sub("db")), errc::database_busy);
}

TEST(event_log_open, a_writer_in_another_process_makes_open_database_busy) {
  test::temp_dir dir;
  { ASSERT_NE(open_writer(dir.sub("db")), nullptr); }
  // Everything the child needs is prepared before fork(): between fork and exec it may only
  // make async-signal-safe calls. The child is lock_holder_main.cpp.
  std::string db_path = dir.sub("db");
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    ::close(to_child[1]);
    ::close(from_child[0]);
    ::execl(PRESENCE_LOCK_HOLDER, PRESENCE_LOCK_HOLDER, db_path.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  // Wait (on the pipe, not a clock) until the child holds the lock.
  std::string output;
  char byte;
  while (output.find("ready\n") == std::string::npos && ::read(from_child[0], &byte, 1) == 1)
    output.push_back(byte);
  ASSERT_NE(output.find("ready\n"), std::string::npos) << output;
  auto second = open_log(dir.sub("db"));
  EXPECT_FALSE(second.ok());
  if (!second.ok()) {
    EXPECT_EQ(second.error().code, errc::database_busy) << describe(second.error());
  }
  ::close(to_child[1]);
  while (::read(from_child[0], &byte, 1) == 1) {
  }
  ::close(from_child[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  // Once the other writer is gone the database opens again.
  EXPECT_NE(open_writer(dir.sub("db")), nullptr);
}

TEST(event_log_open, a_newer_schema_version_is_unsupported) {
  test::temp_dir dir;
  { ASSERT_NE(open_writer(dir.sub("db")), nullptr); }
  const std::string version_7("\0\0\0\x07", 4);
  ASSERT_EQ(test::write_raw(dir.sub("db"), "meta", "schema_version", version_7), "");
  auto opened = open_log(dir.sub("db"));
  ASSERT_ERRC(opened, errc::unsupported_version);
  EXPECT_NE(opened.error().message.find("7"), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find(std::to_string(schema_version)), std::string::npos);
  ASSERT_ERRC(open_log(dir.sub("db"), open_mode::read_only), errc::unsupported_version);
}

TEST(event_log_open, a_corrupt_log_record_is_reported_with_its_key) {
  test::temp_dir dir;
  create_with_events(dir.sub("db"), 3);
  ASSERT_EQ(test::write_raw(dir.sub("db"), "log", test::be64(2), "\x01\x03garbage"), "");
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  std::vector<sequence> seen;
  auto st = log->read_range(1, 3, [&](const event& ev) {
    seen.push_back(ev.seq);
    return true;
  });
  ASSERT_ERRC(st, errc::corrupt_record);
  EXPECT_EQ(seen, (std::vector<sequence>{1})); // the scan stops at the bad record
  EXPECT_NE(st.error().message.find("'log'"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("0000000000000002"), std::string::npos) << st.error().message;
  // The per-stream copy is intact.
  std::size_t stream_count = 0;
  ASSERT_OK(log->read_stream("alice", 1, [&](const event&) { return ++stream_count > 0; }));
  EXPECT_EQ(stream_count, 3u);
}

TEST(event_log_open, a_corrupt_stream_record_is_reported_with_its_key) {
  test::temp_dir dir;
  create_with_events(dir.sub("db"), 2);
  const std::string alice_1 = std::string("alice\0", 6) + test::be64(1);
  ASSERT_EQ(test::write_raw(dir.sub("db"), "streams", alice_1, ""), "");
  auto log = open_log(dir.sub("db"), open_mode::read_only);
  ASSERT_OK(log);
  auto st = (*log)->read_stream("alice", 1, [](const event&) { return true; });
  ASSERT_ERRC(st, errc::corrupt_record);
  // "alice" 0x00 then sequence 1, in hex.
  EXPECT_NE(st.error().message.find("'streams'"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("616c696365000000000000000001"), std::string::npos)
    << st.error().message;
}

TEST(event_log_open, a_corrupt_newest_record_stops_a_writer_but_not_a_reader) {
  test::temp_dir dir;
  create_with_events(dir.sub("db"), 2);
  ASSERT_EQ(test::write_raw(dir.sub("db"), "log", test::be64(2), "\xff"), "");
  // A writer needs the newest timestamp to continue the log: it refuses to guess.
  auto writer = open_log(dir.sub("db"));
  ASSERT_ERRC(writer, errc::corrupt_record);
  EXPECT_NE(writer.error().message.find("0000000000000002"), std::string::npos);
  // Tools can still open it to list the damage.
  auto reader = open_log(dir.sub("db"), open_mode::read_only);
  ASSERT_OK(reader);
  EXPECT_EQ((*reader)->last_sequence(), 2u);
}

} // namespace
} // namespace presence::storage
