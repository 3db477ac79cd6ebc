#pragma once

// The broadcaster tests' fixture: shards on CAF's test coordinator (a clock that moves only when
// told), sinks that record what they receive, and helpers that send and run what follows.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "broadcaster.hpp"
#include "fanout.hpp"
#include "protocol.hpp"

namespace presence::actors {

using events::presence_value;
using kind = notification::kind;
using users = std::vector<std::string>;
using presence_list = std::vector<std::pair<std::string, presence_value>>;
using inbox = std::shared_ptr<std::vector<notification>>;

inline caf::behavior recording_sink(caf::event_based_actor*, inbox received) {
  return {[received](const notification& note) { received->push_back(note); }};
}

using presence_table = std::shared_ptr<std::map<std::string, presence_value>>;

/// Stands in for the directory shards and user actors: answers the shard's initial presence
/// reads (`command::query` of now) from `presences`; a user not in it is unknown.
inline caf::behavior presence_source(caf::event_based_actor*, presence_table presences) {
  return {[presences](const command::query& q) -> caf::result<events::presence_view> {
    if (q.at)
      return make_caf_error(errc::invalid_argument, "an initial read is of now");
    auto found = presences->find(q.user);
    if (found == presences->end())
      return make_caf_error(errc::unknown_user, "unknown user " + q.user);
    events::presence_view view;
    view.presence = found->second;
    return view;
  }};
}

class broadcaster_test : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& actor : spawned_)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  test::test_system_config config_;
  caf::actor_system system_{config_};
  caf::scheduler::test_coordinator& sched_ =
    dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler());
  caf::scoped_actor self_{system_};
  std::vector<caf::actor> spawned_;
  /// What the users' presence is now, as `presence_source` answers the shards' reads.
  presence_table presences_ = std::make_shared<std::map<std::string, presence_value>>();
  caf::actor source_;

  /// A shard on the test clock. One phase by default: every subscriber is flushed at the ends of
  /// `flush_ms` intervals of the clock (broadcaster_phases_test covers more).
  broadcaster_handle spawn_shard(std::size_t index = 0, int64_t flush_ms = 100, uint32_t phases = 1,
                         std::shared_ptr<broadcaster_counters> counters = nullptr) {
    broadcaster_config config;
    config.index = index;
    config.counters = std::move(counters);
    config.flush_phases = phases;
    config.settings.flush_interval_ms = flush_ms;
    config.settings.max_subscription = 4;
    auto shard = spawn_broadcaster(system_, config);
    spawned_.push_back(caf::actor_cast<caf::actor>(shard));
    if (!source_) {
      source_ = system_.spawn(presence_source, presences_);
      spawned_.push_back(source_);
    }
    caf::anon_send(shard, attach_atom::value, std::vector<caf::actor>{source_});
    sched_.run();
    return shard;
  }

  /// Sets what the users read now (see `presence_source`).
  void set_presence(const presence_list& values) {
    for (const auto& [user, value] : values)
      (*presences_)[user] = value;
  }

  /// A sink actor and what it received.
  std::pair<caf::actor, inbox> make_sink() {
    auto received = std::make_shared<std::vector<notification>>();
    auto sink = system_.spawn(recording_sink, received);
    spawned_.push_back(sink);
    sched_.run();
    return {sink, received};
  }

  /// Sends a request, runs everything, and returns the reply's error (none on success).
  template <class Handle, class... Ts>
  caf::error call(const Handle& dest, Ts&&... xs) {
    auto handle = self_->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    sched_.run();
    if (self_->mailbox().empty())
      return caf::make_error(caf::sec::request_timeout);
    caf::error result;
    handle.receive([] {}, [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  template <class Handle, class... Ts>
  void tell(const Handle& dest, Ts&&... xs) {
    caf::anon_send(dest, std::forward<Ts>(xs)...);
    sched_.run();
  }

  /// What a user actor sends when only `user`'s presence changed.
  void publish(const broadcaster_handle& shard, std::string user, presence_value value) {
    tell(shard, changed_atom::value, std::move(user), uint8_t{change_presence}, value,
         events::custom_status{}, events::manual_mode::automatic);
  }

  /// Registers `id` with `shard` and subscribes it to `subjects`, whose users read `initial` now
  /// (a subject not in it reads as before, or is unknown).
  void subscribe(const broadcaster_handle& shard, subscriber_id id, const caf::actor& sink,
                 std::string owner, const users& subjects, const presence_list& initial) {
    set_presence(initial);
    ASSERT_FALSE(call(shard, subscribe_atom::value, id, sink, std::move(owner)));
    ASSERT_FALSE(call(shard, subscribe_atom::value, id, subjects));
  }

  /// Runs every job but `presence_source`'s: initial presence reads stay unanswered.
  void run_all_but_source() {
    auto* held = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(source_));
    sched_.run_jobs_filtered([held](caf::resumable* job) { return job != held; });
  }

  /// Lets `ms` milliseconds of test time pass and runs what became due.
  void pass(int64_t ms) {
    sched_.advance_time(std::chrono::milliseconds(ms));
    sched_.run();
  }
};

} // namespace presence::actors
