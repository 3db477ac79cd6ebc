// presence.getConnections and presence.enableBroadcast: the workspace connection limit.

#include "rocketchat/methods.hpp"

namespace presence::api::rocketchat {

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

} // namespace presence::api::rocketchat
