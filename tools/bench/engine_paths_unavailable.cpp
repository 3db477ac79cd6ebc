// Engine paths for a build without the engine library (presence_actors): every call reports
// that the engine is unavailable, and the raw and storage paths still run.
#include "engine_paths.hpp"

namespace presence::bench {

namespace {
error unavailable() {
  return error{errc::invalid_argument, "this presence-bench was built without the engine"};
}
} // namespace

bool engine_available() noexcept {
  return false;
}

result<engine_figures> engine_ingest(const std::string&, const bench_options&) {
  return unavailable();
}

result<engine_figures> engine_load_all(const std::string&, uint64_t, const bench_options&) {
  return unavailable();
}

result<engine_figures> engine_restart(const std::string&, const bench_options&) {
  return unavailable();
}

} // namespace presence::bench
