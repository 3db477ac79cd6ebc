// The actor system an engine opens for itself (actors/src/engine_open.cpp): CAF's sharing
// scheduler with the configured number of workers, and an engine that works on a single worker.

#include <algorithm>
#include <new>
#include <stdexcept>
#include <system_error>
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

// What a host short of memory, threads or descriptors throws while an engine opens comes back as
// an error value (the half-built engine stops whatever it started as the exception unwinds).
TEST(engine_open, exhausted_resources_are_an_error_value_not_an_exception) {
  using opened = result<std::unique_ptr<engine>>;
  auto thrown = [](auto exception) {
    return actors::open_guarded([&]() -> opened { throw exception; });
  };
  auto out_of_memory = thrown(std::bad_alloc{});
  ASSERT_FALSE(out_of_memory.ok());
  EXPECT_EQ(out_of_memory.error().code, errc::resource_exhausted);
  EXPECT_NE(out_of_memory.error().message.find("out of memory"), std::string::npos)
    << out_of_memory.error().message;
  for (auto code : {std::errc::resource_unavailable_try_again, std::errc::not_enough_memory,
                    std::errc::too_many_files_open, std::errc::too_many_files_open_in_system}) {
    auto failed = thrown(std::system_error{std::make_error_code(code), "thread"});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, errc::resource_exhausted) << failed.error().message;
  }
  auto io = thrown(std::system_error{std::make_error_code(std::errc::io_error), "read"});
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code, errc::storage_failure) << io.error().message;
  // Anything else is a bug, not a condition of the host: it is not disguised as one.
  EXPECT_THROW(thrown(std::logic_error{"bug"}), std::logic_error);
  // Values pass through unchanged.
  auto refused = actors::open_guarded([]() -> opened { return error{errc::database_busy, "lock"}; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::database_busy);
}

} // namespace
} // namespace presence::test
