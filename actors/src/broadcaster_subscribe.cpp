// Broadcaster shards: registering subscribers and reading their subjects' initial presence
// (broadcaster.hpp, `subscribe_atom`).

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broadcaster_actor.hpp"
#include "directory.hpp"
#include "protocol.hpp"

namespace presence::actors::broadcaster_impl {

using events::presence_value;

namespace {

/// A request answered at once: `err`, or unit when there is none.
caf::response_promise answered(broadcaster_actor self, caf::error err) {
  auto promise = self->make_response_promise();
  if (err)
    promise.deliver(std::move(err));
  else
    promise.deliver(caf::unit);
  return promise;
}

/// The initial presence of the subjects one `subscribe` added for one subscriber, read from their
/// user actors; the subscribe is answered when the last answer (or failure) is in.
struct initial_read {
  subscriber_id id = 0;
  std::vector<std::string> subjects;
  std::size_t missing = 0;
  caf::response_promise promise;
};

/// Tells the subscriber, in one batch per value, the latest presence of each subject it has not
/// been told yet (a flush may have told some already), then answers the subscribe.
void finish_initial(broadcaster_actor self, initial_read& read) {
  auto& st = self->state;
  if (st.service_enabled) { // off: the resync at re-enable sends the known values
    std::vector<std::pair<std::string, presence_value>> now;
    for (const auto& subject : read.subjects)
      if (auto value = st.table.catch_up(read.id, subject))
        now.emplace_back(subject, *value);
    send_batches(self, group_by_presence(read.id, now));
  }
  read.promise.deliver(caf::unit);
}

} // namespace

/// Replaces the subjects of `id` and reads the presence of the added ones from their user actors,
/// asking through the directory shards (which delegate, so the user actor answers). The user
/// actor also sends this shard its changes, and CAF keeps one sender's messages to one receiver
/// in order: the answer is newer than every change of that user received before it, and every
/// change after it arrives after it, when the subject is registered here already. A change can
/// neither be lost between a read and the registration nor overtaken by an older read.
caf::response_promise replace_subjects(broadcaster_actor self, subscriber_id id,
                                       const std::vector<std::string>& subjects) {
  auto& st = self->state;
  if (!st.table.contains(id))
    return answered(
      self, make_caf_error(errc::invalid_argument, "unknown subscriber " + std::to_string(id)));
  if (subjects.size() > st.settings.max_subscription)
    return answered(self, make_caf_error(errc::invalid_argument,
                                         "more than max_subscription (" +
                                           std::to_string(st.settings.max_subscription) + ") ids"));
  auto change = st.table.replace(id, subjects);
  if (change.added.empty() || st.directories.empty())
    return answered(self, caf::none);
  auto read = std::make_shared<initial_read>();
  read->id = id;
  read->subjects = std::move(change.added);
  read->missing = read->subjects.size();
  read->promise = self->make_response_promise();
  auto one_in = [self, read] {
    if (--read->missing == 0)
      finish_initial(self, *read);
  };
  for (const auto& subject : read->subjects) {
    const auto& directory = st.directories[user_shard(subject, st.directories.size())];
    self->request(directory, caf::infinite, command::query{subject, std::nullopt})
      .then(
        [self, subject, one_in](const events::presence_view& view) {
          auto& state = self->state;
          if (state.table.refresh(subject, view.presence, state.service_enabled))
            arm_flush(self);
          one_in();
        },
        // Unknown or deactivated users have no initial presence (nor has a stopped user actor's
        // read: its next incarnation tells the changes).
        [one_in](const caf::error&) { one_in(); });
  }
  return read->promise;
}

bool add_sink(broadcaster_state& st, subscriber_id id, sink to) {
  if (!st.sinks.emplace(id, std::move(to)).second)
    return false;
  st.sinks_by_phase.resize(st.table.phases());
  st.sinks_by_phase[st.table.phase_of(id)].push_back(id);
  return true;
}

void remove_sink(broadcaster_state& st, subscriber_id id) {
  if (st.sinks.erase(id) == 0)
    return;
  auto& phase = st.sinks_by_phase[st.table.phase_of(id)];
  auto at = std::find(phase.begin(), phase.end(), id);
  if (at != phase.end()) {
    *at = phase.back();
    phase.pop_back();
  }
}

caf::error add_subscriber(broadcaster_actor self, subscriber_id id, sink to, std::string owner) {
  auto& st = self->state;
  if (!st.table.add(id, std::move(owner)))
    return make_caf_error(errc::invalid_argument,
                          "subscriber " + std::to_string(id) + " already registered");
  add_sink(st, id, std::move(to));  // new: the table refuses known ids
  if (!st.service_enabled && st.index == 0)
    tell_service_status(self, st.sinks.at(id), false);
  return caf::none;
}

/// `replace_subjects`, registering `id` (without an owner) first when this shard does not know it
/// yet and it has subjects here; an unknown id with no subjects here stays unknown.
caf::response_promise register_and_replace(broadcaster_actor self, subscriber_id id, sink to,
                                           const std::vector<std::string>& subjects) {
  auto& st = self->state;
  if (!st.table.contains(id)) {
    if (subjects.empty())
      return answered(self, caf::none);
    if (!to.actor && !to.callback)
      return answered(self, make_caf_error(errc::invalid_argument, "subscriber without a sink"));
    auto actor = to.actor;
    if (auto refused = add_subscriber(self, id, std::move(to), std::string{}))
      return answered(self, std::move(refused));
    if (actor)
      self->monitor(actor);
  }
  return replace_subjects(self, id, subjects);
}

} // namespace presence::actors::broadcaster_impl
