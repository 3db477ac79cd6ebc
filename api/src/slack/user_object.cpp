#include "slack/user_object.hpp"

namespace presence::api::slack {

nlohmann::json profile_json(const events::custom_status& status) {
  return {{"status_text", status.text},
          {"status_emoji", status.emoji},
          {"status_expiration", status.expiration}};
}

nlohmann::json user_object(const events::user_record& user, const events::custom_status& status) {
  auto profile = profile_json(status);
  if (user.bot)
    profile["always_active"] = user.always_active;
  return {{"id", user.id},           {"name", user.name},  {"deleted", !user.active},
          {"is_admin", user.admin},  {"is_bot", user.bot}, {"profile", std::move(profile)}};
}

} // namespace presence::api::slack
