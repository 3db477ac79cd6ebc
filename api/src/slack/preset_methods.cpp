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
  auto args = call->accept(parse_preset_create(call->params));
  if (!args)
    return;
  call->blocking([call, name = *args->name, presence = *args->presence] {
    auto preset = call->gw.engine.create_preset(name, presence, call->from());
    if (preset.ok())
      call->ok({{"preset", preset_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void admin_presets_update(const call_ptr& call) {
  auto args = call->accept(parse_preset_update(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    auto preset =
      http::update_preset(call->gw.engine, args.id, args.name, args.presence, call->from());
    if (preset.ok())
      call->ok({{"preset", preset_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void admin_presets_delete(const call_ptr& call) {
  auto id = call->accept(parse_required(call->params, "id"));
  if (!id)
    return;
  call->blocking([call, id = *id] {
    call->finish(call->gw.engine.delete_preset(id, call->from()));
  });
}

} // namespace presence::api::slack
