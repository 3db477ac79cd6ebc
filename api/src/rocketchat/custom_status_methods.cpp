// custom-user-status.list / create / update / delete: the workspace presets, in Rocket.Chat's
// shape ({_id, name, statusType}).

#include <algorithm>
#include <string>

#include "http/preset_update.hpp"
#include "http/request_params.hpp"
#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

nlohmann::json status_json(const events::preset& preset) {
  return {{"_id", preset.id},
          {"name", preset.name},
          {"statusType", std::string(events::to_string(preset.presence))}};
}

/// A statusType field; answers 400 and sets `ok` false when present but not a presence value.
std::optional<events::presence_value> status_type(const call_ptr& call, const nlohmann::json& from,
                                                  bool& ok) {
  ok = true;
  auto text = http::param_string(from, "statusType");
  if (!text)
    return std::nullopt;
  auto value = preset_presence_from_rc(*text);
  if (!value) {
    call->fail(400, "statusType must be online, away, busy or offline", "error-invalid-status");
    ok = false;
  }
  return value;
}

} // namespace

void custom_user_status_list(const call_ptr& call) {
  bool bad_offset = false;
  bool bad_count = false;
  auto offset = http::param_int(call->params, "offset", &bad_offset).value_or(0);
  auto count = http::param_int(call->params, "count", &bad_count).value_or(50);
  if (bad_offset || bad_count || offset < 0 || count < 0) {
    call->fail(400, "offset and count must be non-negative integers", "error-invalid-params");
    return;
  }
  call->blocking([call, offset, count] {
    auto presets = call->gw.engine.presets();
    if (!presets.ok()) {
      call->fail(presets.error());
      return;
    }
    const auto& all = presets.value();
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
  auto data = call->params.find("customUserStatusData");
  if (data == call->params.end() || !data->is_object()) {
    call->fail(400, "customUserStatusData {name, statusType} is required", "error-invalid-params");
    return;
  }
  auto name = http::param_string(*data, "name");
  bool ok = true;
  auto type = status_type(call, *data, ok);
  if (!ok)
    return;
  if (!name || !type) {
    call->fail(400, "name and statusType are required", "error-the-field-is-required");
    return;
  }
  call->blocking([call, name = *name, type = *type] {
    auto preset = call->gw.engine.create_preset(name, type, call->from());
    if (preset.ok())
      call->ok({{"customUserStatus", status_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void custom_user_status_update(const call_ptr& call) {
  auto id = http::param_string(call->params, "_id");
  if (!id || id->empty()) {
    call->fail(400, "_id is required", "error-the-field-is-required");
    return;
  }
  bool ok = true;
  auto type = status_type(call, call->params, ok);
  if (!ok)
    return;
  auto name = http::param_string(call->params, "name");
  call->blocking([call, id = *id, name, type] {
    auto preset = http::update_preset(call->gw.engine, id, name, type, call->from());
    if (preset.ok())
      call->ok({{"customUserStatus", status_json(preset.value())}});
    else
      call->fail(preset.error());
  });
}

void custom_user_status_delete(const call_ptr& call) {
  auto id = http::param_string(call->params, "customUserStatusId");
  if (!id || id->empty()) {
    call->fail(400, "customUserStatusId is required", "error-invalid-custom-user-status");
    return;
  }
  call->blocking([call, id = *id] {
    call->finish(call->gw.engine.delete_preset(id, call->from()));
  });
}

} // namespace presence::api::rocketchat
