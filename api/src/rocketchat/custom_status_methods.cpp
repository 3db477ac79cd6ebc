// custom-user-status.list / create / update / delete: the workspace presets, in Rocket.Chat's
// shape ({_id, name, statusType, _updatedAt}).

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "http/preset_update.hpp"
#include "http/request_params.hpp"
#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

nlohmann::json status_json(const events::preset& preset) {
  return {{"_id", preset.id},
          {"name", preset.name},
          {"statusType", std::string(events::to_string(preset.presence))},
          {"_updatedAt", rc_date(preset.updated_at)}};
}

/// Whether `preset` passes the list's filters: `_id` exactly, `name` as a case-insensitive
/// substring.
bool matches(const events::preset& preset, const status_list_args& args) {
  if (!args.id.empty() && preset.id != args.id)
    return false;
  return args.name.empty() ||
         http::lower(preset.name).find(http::lower(args.name)) != std::string::npos;
}

} // namespace

void custom_user_status_list(const call_ptr& call) {
  auto args = call->accept(parse_status_list(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    auto presets = call->presets_or_fail();
    if (!presets)
      return;
    std::vector<events::preset> all;
    for (auto& preset : *presets)
      if (matches(preset, args))
        all.push_back(std::move(preset));
    // Sorted by name as Rocket.Chat sorts them; the id breaks ties so pages are stable.
    std::sort(all.begin(), all.end(), [](const events::preset& a, const events::preset& b) {
      return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    });
    auto offset = args.offset;
    auto count = args.count;
    auto first = std::min<std::size_t>(static_cast<std::size_t>(offset), all.size());
    // count 0 means "all the rest", as Rocket.Chat reads it.
    auto last = count == 0 ? all.size()
                           : std::min(all.size(), first + static_cast<std::size_t>(count));
    auto statuses = nlohmann::json::array();
    for (auto i = first; i < last; ++i)
      statuses.push_back(status_json(all[i]));
    call->ok({{"statuses", std::move(statuses)},
              {"count", last - first},
              {"offset", offset},
              {"total", all.size()}});
  });
}

void custom_user_status_create(const call_ptr& call) {
  auto args = call->accept(parse_status_create(call->params));
  if (!args)
    return;
  call->blocking([call, name = *args->name, type = *args->type] {
    auto preset = call->gw.engine.create_preset(name, type, call->from());
    if (preset.ok())
      call->ok({{"customUserStatus", status_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void custom_user_status_update(const call_ptr& call) {
  auto args = call->accept(parse_status_update(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    auto preset =
      http::update_preset(call->gw.engine, args.id, args.name, args.type, call->from());
    if (preset.ok())
      call->ok({{"customUserStatus", status_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void custom_user_status_delete(const call_ptr& call) {
  auto id = call->accept(parse_status_delete(call->params));
  if (!id)
    return;
  call->blocking([call, id = *id] {
    call->finish(call->gw.engine.delete_preset(id, call->from()));
  });
}

} // namespace presence::api::rocketchat
