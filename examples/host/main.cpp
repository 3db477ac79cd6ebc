// An example host: a C++ server that already runs its own CAF actor system embeds presence on it
// (engine_caf.hpp). It runs a scripted scenario and exits 0 only if every step showed what
// docs/design.md §1 prescribes. plain.cpp is the same without CAF in sight.
//
//   presence_host [DB_DIR]

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>

#include <caf/all.hpp>

#include "presence/actors/engine_caf.hpp"

namespace {

using presence::notification;
using presence::events::presence_value;

/// Collects notifications from the engine's threads; the main thread awaits them.
class inbox {
 public:
  void push(const notification& n) {
    std::lock_guard<std::mutex> guard{mutex_};
    items_.push_back(n);
    cv_.notify_all();
  }
  /// Waits (at most 5 s) for a presence_change naming `user` with `value`.
  bool await_presence(const std::string& user, presence_value value) {
    std::unique_lock<std::mutex> lock{mutex_};
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] {
      for (const auto& n : items_)
        if (n.type == notification::kind::presence_change && n.presence == value)
          for (const auto& u : n.users)
            if (u == user)
              return true;
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<notification> items_;
};

int fail(const std::string& step, const presence::error& err) {
  std::cerr << "FAILED at " << step << ": " << presence::describe(err) << '\n';
  return 1;
}

int fail(const std::string& step) {
  std::cerr << "FAILED at " << step << '\n';
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  std::string db = argc > 1 ? argv[1] : "./host-data";

  // The host's own actor system; presence registers its message types on the host's config.
  caf::actor_system_config cfg;
  presence::register_engine_types(cfg);
  caf::actor_system system{cfg};

  presence::engine_config config;
  config.db_path = db;
  auto opened = presence::open_engine(system, config);
  if (!opened)
    return fail("open", opened.error());
  auto& engine = **opened;

  for (const char* id : {"alice", "bob"}) {
    auto user = engine.create_user(id, id, false, {"host-admin", "example"});
    if (!user && user.error().code != presence::errc::user_exists)
      return fail("create_user", user.error());
  }

  inbox received;
  auto sub = engine.subscribe([&](const notification& n) { received.push(n); }, "bob");
  if (!sub)
    return fail("subscribe", sub.error());
  if (auto st = engine.set_subscription(*sub, {"alice"}); !st)
    return fail("set_subscription", st.error());

  if (auto st = engine.connect("alice", "conn-1", "desktop"); !st)
    return fail("connect", st.error());
  if (!received.await_presence("alice", presence_value::online))
    return fail("bob sees alice online");

  if (auto st = engine.set_status("alice", "In a meeting", ":calendar:"); !st)
    return fail("set_status", st.error());
  if (auto st = engine.set_presence("alice", presence::events::manual_mode::busy); !st)
    return fail("set_presence", st.error());
  if (!received.await_presence("alice", presence_value::busy))
    return fail("bob sees alice busy");

  auto view = engine.query("alice");
  if (!view)
    return fail("query", view.error());
  std::cout << "alice: " << presence::events::to_string(view->presence) << ", status \""
            << view->status.text << "\" " << view->status.emoji << ", connections "
            << view->connection_count << '\n';
  if (view->presence != presence_value::busy || view->status.text != "In a meeting")
    return fail("query shows busy with the status");

  if (auto st = engine.disconnect("alice", "conn-1"); !st)
    return fail("disconnect", st.error());
  if (!received.await_presence("alice", presence_value::offline))
    return fail("bob sees alice offline");

  if (auto st = engine.shutdown(); !st)
    return fail("shutdown", st.error());
  std::cout << "scenario ok\n";
  return 0;
}
