// The actor system an engine opens for itself (actors/src/engine_open.cpp): CAF's sharing
// scheduler with the configured number of workers, and an engine that works on a single worker.

#include <algorithm>
#include <thread>

#include <caf/all.hpp>
#include <caf/policy/work_sharing.hpp>
#include <caf/scheduler/coordinator.hpp>

#include "engine_impl.hpp"
#include "engine_test_support.hpp"

namespace presence::test {
namespace {

using events::presence_value;
using sharing_coordinator = caf::scheduler::coordinator<caf::policy::work_sharing>;

TEST(engine_open, an_owned_system_shares_one_queue_among_the_configured_workers) {
  actors::engine_system_config config{3};
  caf::actor_system system{config};
  EXPECT_EQ(system.scheduler().num_workers(), 3u);
  EXPECT_NE(dynamic_cast<sharing_coordinator*>(&system.scheduler()), nullptr)
    << "the scheduler is not CAF's work_sharing coordinator";
}

TEST(engine_open, zero_workers_means_one_per_hardware_thread) {
  actors::engine_system_config config{0};
  caf::actor_system system{config};
  EXPECT_EQ(system.scheduler().num_workers(),
            std::max<std::size_t>(1, std::thread::hardware_concurrency()));
}

// Nothing the engine runs on its workers may block one: with a single worker, a command, a query,
// a subscription's notification and shutdown still complete.
TEST(engine_open, an_engine_on_a_single_worker_serves_commands_and_subscriptions) {
  temp_dir dir;
  auto config = test_config(dir.sub("db"));
  config.scheduler_threads = 1;
  auto opened = engine::open(config);
  ASSERT_OK(opened);
  auto& eng = **opened;
  ASSERT_OK(eng.create_user("U1", "user U1", false));
  notification_box box;
  auto id = eng.subscribe(box.callback());
  ASSERT_OK(id);
  ASSERT_OK(eng.set_subscription(*id, {"U1"}));
  ASSERT_OK(eng.connect("U1", "c1", "web"));
  EXPECT_TRUE(box.wait_until(
    [](const auto& seen) { return has_presence(seen, "U1", presence_value::online); }));
  auto view = eng.query("U1");
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::online);
  ASSERT_OK(eng.shutdown());
}

} // namespace
} // namespace presence::test
