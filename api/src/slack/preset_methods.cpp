// admin.presets.list / create / update / delete: custom status presets (a name tied to a presence).

#include <string>

#include "http/preset_update.hpp"
#include "http/request_params.hpp"
#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

nlohmann::json preset_json(const events::preset& preset) {
  return {{"id", preset.id},
          {"name", preset.name},
          {"presence", std::string(events::to_string(preset.presence))}};
}

/// The `presence` parameter (online, away, busy, offline). `ok` false after answering
/// invalid_presence; nullopt with `ok` true when absent.
std::optional<events::presence_value> presence_param(const call_ptr& call, bool& ok) {
  ok = true;
  auto text = http::param_string(call->params, "presence");
  if (!text)
    return std::nullopt;
  auto value = events::parse_presence_value(*text);
  if (!value || *value == events::presence_value::disabled) {
    call->fail("invalid_presence", "presence must be online, away, busy or offline");
    ok = false;
  }
  return value;
}

std::optional<std::string> id_param(const call_ptr& call) {
  auto id = http::param_string(call->params, "id");
  if (!id || id->empty())
    call->fail("invalid_arguments", "id is required");
  return id && !id->empty() ? id : std::nullopt;
}

} // namespace

void admin_presets_list(const call_ptr& call) {
  call->blocking([call] {
    auto presets = call->gw.engine.presets();
    if (!presets.ok()) {
      call->fail(presets.error());
      return;
    }
    auto list = nlohmann::json::array();
    for (const auto& p : presets.value())
      list.push_back(preset_json(p));
    call->ok({{"presets", std::move(list)}});
  });
}

void admin_presets_create(const call_ptr& call) {
  auto name = http::param_string(call->params, "name");
  bool ok = true;
  auto presence = presence_param(call, ok);
  if (!ok)
    return;
  if (!name || !presence) {
    call->fail("invalid_arguments", "name and presence are required");
    return;
  }
  call->blocking([call, name = *name, presence = *presence] {
    auto preset = call->gw.engine.create_preset(name, presence, call->from());
    if (preset.ok())
      call->ok({{"preset", preset_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void admin_presets_update(const call_ptr& call) {
  auto id = id_param(call);
  if (!id)
    return;
  bool ok = true;
  auto presence = presence_param(call, ok);
  if (!ok)
    return;
  auto name = http::param_string(call->params, "name");
  call->blocking([call, id = *id, name, presence] {
    auto preset = http::update_preset(call->gw.engine, id, name, presence, call->from());
    if (preset.ok())
      call->ok({{"preset", preset_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void admin_presets_delete(const call_ptr& call) {
  auto id = id_param(call);
  if (!id)
    return;
  call->blocking([call, id = *id] {
    call->finish(call->gw.engine.delete_preset(id, call->from()));
  });
}

} // namespace presence::api::slack
