#pragma once

// Start-up work of presenced once the engine is open: the admin user and its token file, and the
// workspace settings given in the config. Blocking (engine facade calls); run before serving.

#include <string>
#include <utility>
#include <vector>

#include "presence/actors/engine.hpp"
#include "presence/events/result.hpp"

namespace presence::api::config {

/// What `bootstrap_admin` did.
struct admin_bootstrap {
  bool generated = false;   ///< a new token was issued and written to `token_file`
  std::string token_file;   ///< DATA_DIR/admin-token
  bool admin_inactive = false;  ///< the admin user is deactivated: no token was generated
};

/// Makes sure the admin user `admin_user` exists (created through the engine as an admin). When no
/// admin token is configured (`token_configured` false) and DATA_DIR/admin-token does not hold a
/// live token of an admin, issues one (the engine stores only its hash) and writes the secret to
/// that file with mode 0600 (its token id to DATA_DIR/admin-token.id), revoking the token the
/// file held before. A deactivated admin user gets no token (`admin_inactive`, a warning) instead
/// of failing the start. Token files are opened with O_NOFOLLOW. Errors: the engine's, or
/// `storage_failure` when a file cannot be read or written (a symbolic link included).
result<admin_bootstrap> bootstrap_admin(presence::engine& engine, const std::string& data_dir,
                                        const std::string& admin_user, bool token_configured);

/// Applies workspace settings (key, value) whose current value differs, so restarting with the
/// same config appends nothing. Errors: the engine's `invalid_setting`…
status apply_workspace_settings(presence::engine& engine,
                                const std::vector<std::pair<std::string, std::string>>& settings);

} // namespace presence::api::config
