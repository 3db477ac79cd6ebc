#include "config/startup.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "config/secret_file.hpp"
#include "presence/events/event.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::config {

namespace {

const presence::origin startup_origin{std::string(events::system_actor), "presenced"};

/// Revokes the token whose id `id_file` names (the one a regenerated token file held before);
/// a token already revoked or unknown is fine.
status revoke_previous(presence::engine& engine, const std::string& id_file) {
  auto id = read_secret_file(id_file);
  if (!id.ok())
    return id.error();
  if (id->empty())
    return {};
  auto st = engine.revoke_token(*id, startup_origin);
  if (!st.ok() && st.error().code != errc::unknown_token)
    return st;
  if (st.ok())
    spdlog::info("revoked the admin token {} that {} held before", *id, id_file);
  return {};
}

} // namespace

result<admin_bootstrap> bootstrap_admin(presence::engine& engine, const std::string& data_dir,
                                        const std::string& admin_user, bool token_configured) {
  auto created = engine.create_user(admin_user, admin_user, true, startup_origin);
  if (!created.ok() && created.error().code != errc::user_exists)
    return created.error();
  admin_bootstrap outcome;
  outcome.token_file = (std::filesystem::path(data_dir) / "admin-token").string();
  if (token_configured)
    return outcome;
  auto secret = read_secret_file(outcome.token_file);
  if (!secret.ok())
    return secret.error();  // e.g. a symbolic link: refused, not followed
  if (!secret->empty()) {
    auto who = engine.authenticate(*secret);
    if (who.ok() && who->user.admin && who->user.active)
      return outcome;
  }
  // The token id of the file's token, kept beside it: regenerating the file revokes the old one.
  auto id_file = outcome.token_file + ".id";
  if (auto st = revoke_previous(engine, id_file); !st)
    return st.error();
  auto token = engine.issue_token(admin_user, startup_origin);
  if (!token.ok() && token.error().code == errc::user_deactivated) {
    // An admin deactivated the bootstrap admin: start without one rather than not at all.
    spdlog::warn("the bootstrap admin user '{}' is deactivated: no admin token was generated; "
                 "use another admin's token or --admin-token",
                 admin_user);
    outcome.admin_inactive = true;
    return outcome;
  }
  if (!token.ok())
    return token.error();
  if (auto st = write_secret_file(id_file, token->id); !st)
    return st.error();
  if (auto st = write_secret_file(outcome.token_file, token->secret); !st)
    return st.error();
  outcome.generated = true;
  return outcome;
}

status apply_workspace_settings(presence::engine& engine,
                                const std::vector<std::pair<std::string, std::string>>& settings) {
  if (settings.empty())
    return {};
  auto current = engine.settings();
  if (!current.ok())
    return current.error();
  for (const auto& [key, value] : settings) {
    // Compare normalised values: set the value on a copy and see whether anything changes.
    auto next = current.value();
    if (auto st = events::set_setting(next, key, value); !st)
      return st;
    if (next == current.value())
      continue;
    if (auto st = engine.set_setting(key, value, startup_origin); !st)
      return st;
    current.value() = next;
  }
  return {};
}

} // namespace presence::api::config
