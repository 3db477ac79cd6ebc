// engine: workspace administration, through the supervisor (every change is an event), and
// online backups of the event log.

#include "engine_impl.hpp"

namespace presence::actors {

result<events::user_record> engine_impl::create_user(const std::string& id,
                                                     const std::string& name, bool admin,
                                                     const origin& from) {
  auto created = ask<events::user_record>(supervisor_, create_user_atom::value, id, name, admin,
                                          by(from), via(from));
  if (!created)
    return created;
  // The supervisor tells every shard too, but a command sent right after this returns could
  // overtake its message: tell the user's shard ourselves and wait for its answer.
  if (auto told = tell(shard_of(id), users_atom::value, std::vector<events::user_record>{*created});
      !told)
    return told.error();
  return created;
}

status engine_impl::deactivate_user(const std::string& id, const origin& from) {
  if (auto done = tell(supervisor_, deactivate_atom::value, id, by(from), via(from)); !done)
    return done;
  events::user_record record;
  record.id = id;
  record.active = false;
  return tell(shard_of(id), users_atom::value, std::vector<events::user_record>{record});
}

result<issued_token> engine_impl::issue_token(const std::string& user, const origin& from) {
  return ask<issued_token>(supervisor_, issue_token_atom::value, user, by(from), via(from));
}

status engine_impl::revoke_token(const std::string& token_id, const origin& from) {
  return tell(supervisor_, revoke_token_atom::value, token_id, by(from), via(from));
}

result<events::user_record> engine_impl::authenticate(const std::string& secret) {
  return ask<events::user_record>(supervisor_, auth_atom::value, secret);
}

status engine_impl::set_setting(const std::string& key, const std::string& value,
                                const origin& from) {
  return tell(supervisor_, set_setting_atom::value, key, value, by(from), via(from));
}

result<events::workspace_settings> engine_impl::settings() {
  return ask<events::workspace_settings>(supervisor_, caf::get_atom::value, settings_atom::value);
}

result<events::preset> engine_impl::create_preset(const std::string& name,
                                                  events::presence_value presence,
                                                  const origin& from) {
  return ask<events::preset>(supervisor_, preset_create_atom::value, name, presence, by(from),
                             via(from));
}

status engine_impl::update_preset(const std::string& id, const std::string& name,
                                  events::presence_value presence, const origin& from) {
  return tell(supervisor_, preset_update_atom::value, id, name, presence, by(from), via(from));
}

status engine_impl::delete_preset(const std::string& id, const origin& from) {
  return tell(supervisor_, preset_delete_atom::value, id, by(from), via(from));
}

result<std::vector<events::preset>> engine_impl::presets() {
  return ask<std::vector<events::preset>>(supervisor_, caf::get_atom::value,
                                          presets_atom::value);
}

status engine_impl::enable_service(const origin& from) {
  return tell(supervisor_, enable_atom::value, by(from), via(from));
}

result<engine::service_state> engine_impl::service() {
  return ask<service_state>(supervisor_, caf::get_atom::value, service_atom::value);
}

engine_stats engine_impl::stats() const { return counters_->snapshot(); }

result<storage::backup_info> engine_impl::backup(const std::string& dir) {
  if (!calls_->enter())
    return error{errc::shutting_down, "the engine is shutting down"};
  // Counted as a running call, so shutdown waits for it before closing the log (up to the
  // request timeout; the copy of the pointer keeps the log open past that).
  auto log = log_;
  auto made = log->backup(dir);
  calls_->leave();
  return made;
}

} // namespace presence::actors
