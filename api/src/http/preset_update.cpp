#include "http/preset_update.hpp"

namespace presence::api::http {

result<events::preset> update_preset(presence::engine& engine, const std::string& id,
                                     const std::optional<std::string>& name,
                                     std::optional<events::presence_value> presence,
                                     const presence::origin& from) {
  auto all = engine.presets();
  if (!all.ok())
    return all.error();
  for (auto preset : all.value()) {
    if (preset.id != id)
      continue;
    preset.name = name.value_or(preset.name);
    preset.presence = presence.value_or(preset.presence);
    if (auto st = engine.update_preset(id, preset.name, preset.presence, from); !st)
      return st.error();
    return preset;
  }
  return presence::error{errc::unknown_preset, "no preset with id '" + id + "'"};
}

} // namespace presence::api::http
