// presence.getConnections, presence.enableBroadcast and the setting
// Troubleshoot_Disable_Presence_Broadcast: the presence service switch and its connection limit.

#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

namespace {

/// The setting's id, as Rocket.Chat's admin page names it.
constexpr const char* disable_broadcast_setting = "Troubleshoot_Disable_Presence_Broadcast";

} // namespace

void presence_get_connections(const call_ptr& call) {
  call->blocking([call] {
    auto service = call->gw.engine.service();
    if (service.ok())
      call->ok({{"current", service->connections},
                {"max", service->limit},
                {"enabled", service->enabled},
                {"reason", service->reason}});
    else
      call->fail(service.error());
  });
}

void presence_enable_broadcast(const call_ptr& call) {
  call->blocking([call] {
    call->finish(call->gw.engine.enable_service(call->from()));
  });
}

void settings_get_disable_broadcast(const call_ptr& call) {
  call->blocking([call] {
    auto service = call->gw.engine.service();
    if (service.ok())
      call->ok({{"_id", disable_broadcast_setting}, {"value", !service->enabled}});
    else
      call->fail(service.error());
  });
}

void settings_set_disable_broadcast(const call_ptr& call) {
  auto disable = call->accept(parse_setting_bool(call->params));
  if (!disable)
    return;
  call->blocking([call, disable = *disable] {
    auto& engine = call->gw.engine;
    call->finish(disable ? engine.disable_service(call->from())
                         : engine.enable_service(call->from()));
  });
}

} // namespace presence::api::rocketchat
