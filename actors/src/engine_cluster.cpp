// The engine's side of a cluster node (engine_cluster.hpp): the workspace stream read and
// replicated, and the other nodes' connections.

#include "presence/actors/engine_cluster.hpp"

#include <utility>

#include "engine_impl.hpp"
#include "presence/actors/engine_caf.hpp"

namespace presence {

namespace {

actors::engine_impl* impl_of(engine& target) {
  return dynamic_cast<actors::engine_impl*>(&target);
}

error not_an_engine() {
  return error{errc::invalid_argument, "not an engine from engine::open or open_engine"};
}

} // namespace

result<std::vector<events::event>> workspace_events(engine& target, events::sequence from,
                                                    std::size_t limit) {
  auto* impl = impl_of(target);
  if (impl == nullptr)
    return not_an_engine();
  return impl->workspace_events(from, limit);
}

result<uint64_t> replicate_workspace(engine& target, std::vector<events::event> events) {
  auto* impl = impl_of(target);
  if (impl == nullptr)
    return not_an_engine();
  for (const auto& ev : events)
    if (ev.stream != events::workspace_stream)
      return error{errc::invalid_argument, "not a workspace event: stream " + ev.stream};
  if (events.empty())
    return uint64_t{0};
  return impl->replicate_workspace(std::move(events));
}

status set_peer_connections(engine& target, uint64_t connections) {
  auto* impl = impl_of(target);
  if (impl == nullptr)
    return not_an_engine();
  return impl->set_peer_connections(connections);
}

caf::error caf_error_of(const error& err) {
  return actors::to_caf_error(err);
}

error error_of(const caf::error& err) {
  return actors::from_caf_error(err);
}

} // namespace presence

namespace presence::actors {

result<std::vector<events::event>> engine_impl::workspace_events(events::sequence from,
                                                                 std::size_t limit) {
  std::vector<events::event> out;
  if (limit == 0)
    return out;
  auto read = log_->read_stream(events::workspace_stream, from, [&](const events::event& ev) {
    out.push_back(ev);
    return out.size() < limit;
  });
  if (!read)
    return read.error();
  return out;
}

result<uint64_t> engine_impl::replicate_workspace(std::vector<events::event> events) {
  return ask<uint64_t>(supervisor_, replicate_atom::value, std::move(events));
}

status engine_impl::set_peer_connections(uint64_t connections) {
  if (!calls_->enter())
    return status{errc::shutting_down, "the engine is shutting down"};
  caf::anon_send(supervisor_, peers_atom::value, connections);
  calls_->leave();
  return status::success();
}

} // namespace presence::actors
