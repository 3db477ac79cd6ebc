// An example host that embeds presence without knowing CAF: it includes engine.hpp alone, lets
// the engine run its own actor system, and reads presence back. It exits 0 only if every step
// showed what docs/design.md §1 prescribes.
//
//   presence_host_plain [DB_DIR]

#include <chrono>
#include <iostream>
#include <string>

#include "presence/actors/engine.hpp"

namespace {

int fail(const std::string& step, const presence::error& err) {
  std::cerr << "FAILED at " << step << ": " << presence::describe(err) << '\n';
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  using presence::events::presence_value;

  presence::engine_config config;
  config.db_path = argc > 1 ? argv[1] : "./host-plain-data";
  auto opened = presence::engine::open(config);
  if (!opened)
    return fail("open", opened.error());
  auto& engine = **opened;

  auto user = engine.create_user("carol", "Carol", false, {"host-admin", "example"});
  if (!user && user.error().code != presence::errc::user_exists)
    return fail("create_user", user.error());
  if (auto st = engine.connect("carol", "conn-1", "desktop"); !st)
    return fail("connect", st.error());
  // A command as a struct: the form every request has; the named members are shorthands.
  if (auto st = engine.run(presence::command::set_preferences{"carol", 5min, true}); !st)
    return fail("set_preferences", st.error());
  auto expires = presence::events::wall_clock_now() + 1h;
  if (auto st = engine.set_presence("carol", presence::events::manual_mode::away, expires); !st)
    return fail("set_presence", st.error());

  auto view = engine.query("carol");
  if (!view)
    return fail("query", view.error());
  std::cout << "carol: " << presence::events::to_string(view->presence) << '\n';
  if (view->presence != presence_value::away)
    return fail("query shows away", {presence::errc::invalid_argument, "not away"});
  if (auto st = engine.shutdown(); !st)
    return fail("shutdown", st.error());
  std::cout << "plain ok\n";
  return 0;
}
