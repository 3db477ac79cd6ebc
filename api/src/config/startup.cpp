#include "config/startup.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "presence/events/event.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::config {

namespace {

const presence::origin startup_origin{std::string(events::system_actor), "presenced"};

std::string read_secret(const std::string& path) {
  std::ifstream in{path};
  std::string secret;
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' '))
    secret.pop_back();
  return secret;
}

/// Writes `secret` + newline to `path`, readable by the owner only (also when it existed).
status write_secret(const std::string& path, const std::string& secret) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return {errc::storage_failure, "cannot write " + path + ": " + std::strerror(errno)};
  auto text = secret + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok)
    return {errc::storage_failure, "cannot write " + path + ": " + std::strerror(saved)};
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
  std::error_code ec;
  if (std::filesystem::exists(outcome.token_file, ec)) {
    auto secret = read_secret(outcome.token_file);
    if (!secret.empty()) {
      auto who = engine.authenticate(secret);
      if (who.ok() && who->user.admin && who->user.active)
        return outcome;
    }
  }
  auto token = engine.issue_token(admin_user, startup_origin);
  if (!token.ok())
    return token.error();
  if (auto st = write_secret(outcome.token_file, token->secret); !st)
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
