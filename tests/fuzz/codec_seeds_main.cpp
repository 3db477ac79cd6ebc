// Writes the seed corpus of the event_codec fuzz target into the directory given as argument:
// one record of every event type (tests/events/sample_events.hpp), setting_changed records for
// every workspace setting, and snapshot records. Run it again after a codec format change:
//   build/tests/fuzz/fuzz_codec_seeds tests/fuzz/corpus/event_codec

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "events/sample_events.hpp"
#include "presence/events/codec.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"

namespace {

using namespace presence::events;

bool write(const std::filesystem::path& dir, const std::string& name, const std::string& bytes) {
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_codec_seeds DIRECTORY\n");
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  bool ok = true;
  int count = 0;
  for (const auto& ev : test::one_event_of_each_type()) {
    ok = ok && write(dir, "event_" + std::string(to_string(type_of(ev.body))), encode(ev));
    ++count;
  }
  // Every setting key with an accepted value, so the workspace fold's parsers are reached.
  const std::string ws(workspace_stream);
  for (const auto& [key, value] : list_settings(workspace_settings{})) {
    auto ev = test::make_event(1'700'000'000'000'000, ws, setting_changed{key, value}, "admin");
    ok = ok && write(dir, "setting_" + key, encode(ev));
    ++count;
  }
  user_state state;
  state.id = "alice";
  state.connections = {{"c1", "web", 3, 1'700'000'000'000'000, 1'700'000'000'500'000},
                       {"c2", "rtm", 4, 1'700'000'001'000'000, 1'700'000'002'000'000}};
  state.last_activity = 1'700'000'002'000'000;
  state.auto_away = true;
  state.manual = manual_mode::away;
  state.manual_until = 1'700'000'900'000'000;
  state.status = {"Lunch \xf0\x9f\x8d\x94", ":hamburger:", 1'700'003'600};
  state.idle_timeout = 900;
  state.auto_away_enabled = false;
  state.last_seq = 99;
  state.event_count = 42;
  ok = ok && write(dir, "snapshot_populated", encode_snapshot(state));
  ok = ok && write(dir, "snapshot_empty", encode_snapshot(user_state{}));
  count += 2;
  if (!ok) {
    std::fprintf(stderr, "fuzz_codec_seeds: cannot write into %s\n", argv[1]);
    return 1;
  }
  std::printf("fuzz_codec_seeds: %d records written to %s\n", count, argv[1]);
  return 0;
}
