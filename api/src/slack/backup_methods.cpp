// admin.backups.create / admin.backups.list: online backups of the event log into the configured
// backup directory. The dispatcher already refused non-admins (not_admin); both run on the
// blocking pool (a backup flushes and copies files).

#include <chrono>

#include "presence/storage/backup.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

nlohmann::json backup_json(const storage::backup_info& backup) {
  const auto created =
    std::chrono::duration_cast<std::chrono::seconds>(backup.created.time_since_epoch());
  return {{"id", backup.id},
          {"seq", backup.seq},
          {"created", created.count()},
          {"bytes", backup.bytes},
          {"path", backup.path}};
}

} // namespace

void admin_backups_create(const call_ptr& call) {
  call->blocking([call] {
    auto made = call->gw.engine.backup(call->gw.config.backup_dir);
    if (!made) {
      call->fail(made.error());
      return;
    }
    call->ok({{"backup", backup_json(*made)}});
  });
}

void admin_backups_list(const call_ptr& call) {
  call->blocking([call] {
    auto backups = nlohmann::json::array();
    auto listed = storage::list_backups(call->gw.config.backup_dir);
    if (!listed && listed.error().code != errc::database_missing) {
      call->fail(listed.error());
      return;
    }
    if (listed)
      for (const auto& backup : *listed)
        backups.push_back(backup_json(backup));
    // No backup directory yet: no backup.
    call->ok({{"backups", std::move(backups)}});
  });
}

} // namespace presence::api::slack
