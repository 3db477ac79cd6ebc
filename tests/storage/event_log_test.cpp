// The event log's writes and reads: sequences, clamping, ranges, the connection index, epochs,
// snapshots, and atomicity of a refused batch.
#include "presence/storage/event_log.hpp"

#include <gtest/gtest.h>

#include "log_fixtures.hpp"

namespace presence::storage {
namespace {

using events::event;
using test::make_event;
using test::open_log;
using test::read_all;

class event_log_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_log(dir_.sub("db"));
    ASSERT_OK(opened);
    log_ = std::move(*opened);
  }

  std::vector<event> collect_stream(std::string_view stream, sequence from) {
    std::vector<event> out;
    EXPECT_OK(log_->read_stream(stream, from, [&](const event& ev) {
      out.push_back(ev);
      return true;
    }));
    return out;
  }

  std::vector<sequence> time_range_seqs(events::timestamp_us since, events::timestamp_us until) {
    std::vector<sequence> out;
    EXPECT_OK(log_->read_time_range(since, until, [&](const event& ev) {
      out.push_back(ev.seq);
      return true;
    }));
    return out;
  }

  test::temp_dir dir_;
  std::unique_ptr<event_log> log_;
};

TEST_F(event_log_test, empty_log_has_no_sequence_and_no_epoch) {
  EXPECT_EQ(log_->last_sequence(), 0u);
  EXPECT_EQ(log_->current_epoch(), 0u);
  EXPECT_TRUE(read_all(*log_).empty());
  std::vector<event> none;
  auto first = log_->append(none);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 0u);
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(event_log_test, append_assigns_consecutive_sequences_across_batches) {
  std::vector<event> batch{make_event("alice", 100, events::activity{"c1"}),
                           make_event("bob", 200, events::activity{"c2"})};
  auto first = log_->append(batch);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(batch[0].seq, 1u);
  EXPECT_EQ(batch[1].seq, 2u);
  std::vector<event> more{make_event("alice", 300, events::away{})};
  auto next = log_->append(more);
  ASSERT_OK(next);
  EXPECT_EQ(*next, 3u);
  EXPECT_EQ(log_->last_sequence(), 3u);
  auto all = read_all(*log_);
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].seq, i + 1);
  EXPECT_EQ(all[0].stream, "alice");
  EXPECT_EQ(all[1].stream, "bob");
  EXPECT_TRUE(std::holds_alternative<events::away>(all[2].body));
  EXPECT_EQ(all[0].via, "test");
  EXPECT_EQ(std::get<events::activity>(all[1].body).conn, "c2");
}

TEST_F(event_log_test, timestamps_are_clamped_to_be_non_decreasing) {
  std::vector<event> batch{make_event("alice", 500, events::away{}),
                           make_event("alice", 400, events::away{}),
                           make_event("alice", 600, events::away{})};
  ASSERT_OK(log_->append(batch));
  EXPECT_EQ(batch[1].ts, 500);
  std::vector<event> late{make_event("bob", 100, events::away{})};
  ASSERT_OK(log_->append(late));
  EXPECT_EQ(late[0].ts, 600);
  auto all = read_all(*log_);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].ts, 500);
  EXPECT_EQ(all[1].ts, 500);
  EXPECT_EQ(all[2].ts, 600);
  EXPECT_EQ(all[3].ts, 600);
}

TEST_F(event_log_test, clamping_survives_reopen) {
  std::vector<event> batch{make_event("alice", 1000, events::away{})};
  ASSERT_OK(log_->append(batch));
  log_.reset();
  auto reopened = open_log(dir_.sub("db"));
  ASSERT_OK(reopened);
  std::vector<event> early{make_event("alice", 10, events::away{})};
  auto first = (*reopened)->append(early);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 2u);
  EXPECT_EQ(early[0].ts, 1000);
}

TEST_F(event_log_test, read_stream_returns_one_stream_from_a_sequence) {
  std::vector<event> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(make_event(i % 2 == 0 ? "al" : "alice", 100 + i, events::activity{}));
  ASSERT_OK(log_->append(batch));
  // "al" is a prefix of "alice": the stream scan must not leak into it.
  auto al = collect_stream("al", 1);
  ASSERT_EQ(al.size(), 5u);
  for (const auto& ev : al)
    EXPECT_EQ(ev.stream, "al");
  auto tail = collect_stream("alice", 6);
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0].seq, 6u);
  EXPECT_EQ(tail[2].seq, 10u);
  EXPECT_TRUE(collect_stream("nobody", 1).empty());
}

TEST_F(event_log_test, visitors_can_stop_early) {
  std::vector<event> batch(5, make_event("alice", 1, events::away{}));
  ASSERT_OK(log_->append(batch));
  int seen = 0;
  ASSERT_OK(log_->read_range(1, 5, [&](const event&) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);
  seen = 0;
  ASSERT_OK(log_->read_stream("alice", 1, [&](const event&) { return ++seen < 3; }));
  EXPECT_EQ(seen, 3);
}

TEST_F(event_log_test, read_range_is_inclusive_and_bounded) {
  std::vector<event> batch(20, make_event("alice", 7, events::away{}));
  ASSERT_OK(log_->append(batch));
  std::vector<sequence> seen;
  ASSERT_OK(log_->read_range(5, 9, [&](const event& ev) {
    seen.push_back(ev.seq);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<sequence>{5, 6, 7, 8, 9}));
  seen.clear();
  ASSERT_OK(log_->read_range(0, 2, [&](const event& ev) {
    seen.push_back(ev.seq);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<sequence>{1, 2}));
  seen.clear();
  ASSERT_OK(log_->read_range(9, 5, [&](const event& ev) {
    seen.push_back(ev.seq);
    return true;
  }));
  EXPECT_TRUE(seen.empty());
}

TEST_F(event_log_test, read_time_range_finds_the_half_open_interval) {
  // Timestamps 0,10,10,20,30,...: duplicates and a long log exercise the binary search.
  std::vector<event> batch;
  for (int i = 0; i < 1000; ++i)
    batch.push_back(make_event("alice", (i / 2) * 10, events::away{}));
  ASSERT_OK(log_->append(batch));
  auto seqs = time_range_seqs(20, 50); // ts 20,20,30,30,40,40 -> seqs 5..10
  EXPECT_EQ(seqs, (std::vector<sequence>{5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(time_range_seqs(-100, 10), (std::vector<sequence>{1, 2}));
  EXPECT_EQ(time_range_seqs(4990, 100000), (std::vector<sequence>{999, 1000}));
  EXPECT_TRUE(time_range_seqs(5000, 6000).empty());
  EXPECT_TRUE(time_range_seqs(15, 20).empty());
  EXPECT_TRUE(time_range_seqs(30, 30).empty());
  // Compare every window against a linear filter.
  for (events::timestamp_us since = 0; since < 5000; since += 370) {
    std::vector<sequence> expected;
    for (const auto& ev : batch)
      if (ev.ts >= since && ev.ts < since + 125)
        expected.push_back(ev.seq);
    EXPECT_EQ(time_range_seqs(since, since + 125), expected) << "since " << since;
  }
}

TEST_F(event_log_test, connection_index_follows_connects_and_disconnects) {
  std::vector<event> batch{make_event("alice", 1, events::connected{"c1", "web", 1}),
                           make_event("alice", 2, events::connected{"c2", "desktop", 1}),
                           make_event("bob", 3, events::connected{"c3", "web", 1}),
                           make_event("alice", 4, events::disconnected{"c1"})};
  ASSERT_OK(log_->append(batch));
  auto open = log_->open_connections();
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].user, "alice");
  EXPECT_EQ((*open)[0].conn, "c2");
  EXPECT_EQ((*open)[0].epoch, 1u);
  EXPECT_EQ((*open)[1].user, "bob");
  EXPECT_EQ((*open)[1].conn, "c3");
}

TEST_F(event_log_test, start_epoch_logs_and_persists_the_next_epoch) {
  auto epoch = log_->start_epoch(1000);
  ASSERT_OK(epoch);
  EXPECT_EQ(*epoch, 1u);
  EXPECT_EQ(log_->current_epoch(), 1u);
  auto all = read_all(*log_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].stream, events::workspace_stream);
  EXPECT_EQ(all[0].by, events::system_actor);
  ASSERT_TRUE(std::holds_alternative<events::epoch_started>(all[0].body));
  EXPECT_EQ(std::get<events::epoch_started>(all[0].body).epoch, 1u);
  log_.reset();
  auto reopened = open_log(dir_.sub("db"));
  ASSERT_OK(reopened);
  EXPECT_EQ((*reopened)->current_epoch(), 1u);
  auto second = (*reopened)->start_epoch(2000);
  ASSERT_OK(second);
  EXPECT_EQ(*second, 2u);
}

TEST_F(event_log_test, stale_connections_after_a_restart_are_those_of_older_epochs) {
  auto first = log_->start_epoch(10);
  ASSERT_OK(first);
  std::vector<event> batch{make_event("alice", 11, events::connected{"a1", "web", *first}),
                           make_event("bob", 12, events::connected{"b1", "web", *first}),
                           make_event("bob", 13, events::disconnected{"b1"}),
                           make_event("carol", 14, events::connected{"k1", "web", *first})};
  ASSERT_OK(log_->append(batch));
  log_.reset(); // the "crash": alice and carol are left connected

  auto reopened = open_log(dir_.sub("db"));
  ASSERT_OK(reopened);
  auto& log = **reopened;
  auto second = log.start_epoch(20);
  ASSERT_OK(second);
  std::vector<event> fresh{make_event("dave", 21, events::connected{"d1", "web", *second})};
  ASSERT_OK(log.append(fresh));
  auto stale = log.stale_connections(*second);
  ASSERT_OK(stale);
  ASSERT_EQ(stale->size(), 2u);
  EXPECT_EQ((*stale)[0].user, "alice");
  EXPECT_EQ((*stale)[1].user, "carol");
  EXPECT_EQ((*stale)[1].conn, "k1");
  // Closing them empties the stale set, leaving only this epoch's connection.
  std::vector<event> closes;
  for (const auto& entry : *stale)
    closes.push_back(make_event(
      entry.user, 22, events::disconnected{entry.conn, events::disconnect_reason::server_restart}));
  ASSERT_OK(log.append(closes));
  auto after = log.stale_connections(*second);
  ASSERT_OK(after);
  EXPECT_TRUE(after->empty());
  auto open = log.open_connections();
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].user, "dave");
}

TEST_F(event_log_test, snapshots_are_stored_and_replaced) {
  auto none = log_->get_snapshot("alice");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{5, "first"}));
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{9, std::string("sec\0ond", 7)}));
  auto got = log_->get_snapshot("alice");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->seq, 9u);
  EXPECT_EQ((*got)->bytes, std::string("sec\0ond", 7));
}

TEST_F(event_log_test, append_exact_keeps_sequences_and_rejects_gaps) {
  std::vector<event> batch{make_event("alice", 5, events::away{}),
                           make_event("alice", 6, events::away{})};
  batch[0].seq = 1;
  batch[1].seq = 2;
  ASSERT_OK(log_->append_exact(batch));
  EXPECT_EQ(log_->last_sequence(), 2u);
  std::vector<event> gap{make_event("alice", 7, events::away{})};
  gap[0].seq = 4;
  ASSERT_ERRC(log_->append_exact(gap), errc::out_of_order);
  std::vector<event> backwards{make_event("alice", 4, events::away{})};
  backwards[0].seq = 3;
  ASSERT_ERRC(log_->append_exact(backwards), errc::out_of_order);
  EXPECT_EQ(log_->last_sequence(), 2u);
  EXPECT_EQ(read_all(*log_).size(), 2u);
}

TEST_F(event_log_test, append_exact_of_epoch_started_updates_the_epoch) {
  std::vector<event> batch{
    make_event(std::string{events::workspace_stream}, 5, events::epoch_started{7})};
  batch[0].seq = 1;
  ASSERT_OK(log_->append_exact(batch));
  EXPECT_EQ(log_->current_epoch(), 7u);
}

TEST_F(event_log_test, a_refused_batch_leaves_nothing_and_consumes_no_sequence) {
  std::vector<event> good{make_event("alice", 1, events::away{})};
  ASSERT_OK(log_->append(good));
  // One bad event (a stream with a NUL cannot be keyed) refuses the whole batch.
  std::vector<event> bad{make_event("alice", 2, events::connected{"c9", "web", 1}),
                         make_event(std::string("x\0y", 3), 3, events::away{})};
  ASSERT_ERRC(log_->append(bad), errc::invalid_argument);
  EXPECT_EQ(bad[0].seq, 0u);
  EXPECT_EQ(log_->last_sequence(), 1u);
  auto open = log_->open_connections();
  ASSERT_OK(open);
  EXPECT_TRUE(open->empty());
  std::vector<event> next{make_event("alice", 4, events::away{})};
  auto first = log_->append(next);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 2u);
}

TEST_F(event_log_test, writes_on_a_read_only_instance_fail_and_change_nothing) {
  std::vector<event> good{make_event("alice", 1, events::away{})};
  ASSERT_OK(log_->append(good));
  ASSERT_OK(log_->flush());
  log_.reset();
  auto ro = open_log(dir_.sub("db"), open_mode::read_only);
  ASSERT_OK(ro);
  std::vector<event> batch{make_event("alice", 2, events::connected{"c1", "web", 1}),
                           make_event("alice", 3, events::away{})};
  ASSERT_ERRC((*ro)->append(batch), errc::read_only);
  EXPECT_EQ(batch[0].seq, 0u);
  EXPECT_EQ(batch[0].ts, 2);
  ASSERT_ERRC((*ro)->append_exact(batch), errc::read_only);
  ASSERT_ERRC((*ro)->start_epoch(5), errc::read_only);
  ASSERT_ERRC((*ro)->put_snapshot("alice", snapshot_record{1, "x"}), errc::read_only);
  EXPECT_EQ((*ro)->last_sequence(), 1u);
  EXPECT_EQ(read_all(**ro).size(), 1u);
  ro->reset();
  auto rw = open_log(dir_.sub("db"));
  ASSERT_OK(rw);
  EXPECT_EQ((*rw)->last_sequence(), 1u);
  auto open = (*rw)->open_connections();
  ASSERT_OK(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(event_log_test, scan_raw_lists_keys_and_rejects_unknown_families) {
  std::vector<event> batch{make_event("alice", 1, events::connected{"c1", "web", 0})};
  ASSERT_OK(log_->append(batch));
  std::vector<raw_record> records;
  ASSERT_OK(log_->scan_raw("connections", [&](const raw_record& r) {
    records.push_back(r);
    return true;
  }));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, std::string("alice\0c1", 8));
  EXPECT_EQ(records[0].value, test::be64(0));
  std::vector<std::string> meta_keys;
  ASSERT_OK(log_->scan_raw("meta", [&](const raw_record& r) {
    meta_keys.push_back(r.key);
    return true;
  }));
  EXPECT_EQ(meta_keys, (std::vector<std::string>{"schema_version"}));
  ASSERT_ERRC(log_->scan_raw("nope", [](const raw_record&) { return true; }),
              errc::invalid_argument);
}

TEST_F(event_log_test, flush_and_disk_size) {
  std::vector<event> batch(100, make_event("alice", 1, events::status_set{"lunch", ":taco:", 0}));
  ASSERT_OK(log_->append(batch));
  ASSERT_OK(log_->flush());
  EXPECT_GT(log_->disk_size(), 0u);
  EXPECT_EQ(log_->options().path, dir_.sub("db"));
}

} // namespace
} // namespace presence::storage
