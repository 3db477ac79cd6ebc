#include "connection_limit.hpp"

namespace presence::actors {

service_action connection_limit::on_delta(int64_t delta, const events::workspace_settings& settings,
                                          bool service_enabled) noexcept {
  if (delta >= 0) {
    count_ += static_cast<uint64_t>(delta);
  } else {
    auto down = static_cast<uint64_t>(-(delta + 1)) + 1; // no overflow for INT64_MIN
    count_ = down >= count_ ? 0 : count_ - down;
  }
  if (delta > 0)
    return over_limit(settings, service_enabled);
  return auto_reenable(settings, service_enabled);
}

service_action connection_limit::on_others(uint64_t others,
                                           const events::workspace_settings& settings,
                                           bool service_enabled) noexcept {
  const bool rose = others > others_;
  others_ = others;
  return rose ? over_limit(settings, service_enabled) : auto_reenable(settings, service_enabled);
}

service_action connection_limit::over_limit(const events::workspace_settings& settings,
                                            bool service_enabled) const noexcept {
  auto over = settings.connection_limit != 0 && count() > settings.connection_limit;
  return service_enabled && over ? service_action::disable : service_action::none;
}

service_action connection_limit::on_settings(const events::workspace_settings& settings,
                                             bool service_enabled) const noexcept {
  return auto_reenable(settings, service_enabled);
}

bool connection_limit::can_enable(const events::workspace_settings& settings) const noexcept {
  return settings.connection_limit == 0 || count() < settings.connection_limit;
}

service_action connection_limit::auto_reenable(const events::workspace_settings& settings,
                                               bool service_enabled) const noexcept {
  if (service_enabled || settings.auto_reenable_below == 0)
    return service_action::none;
  if (count() < settings.auto_reenable_below && can_enable(settings))
    return service_action::reenable;
  return service_action::none;
}

} // namespace presence::actors
