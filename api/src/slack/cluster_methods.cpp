// admin.cluster.info / admin.cluster.locate: the cluster's members and partition map, and where a
// user lives (docs/cluster.md). The dispatcher already refused non-admins (not_admin); a single
// node answers `not_clustered`.

#include "slack/methods.hpp"
#include "slack/slack_args.hpp"

namespace presence::api::slack {

void admin_cluster_info(const call_ptr& call) {
  auto view = call->gw.engine.cluster();
  if (!view) {
    call->fail(view.error());
    return;
  }
  auto nodes = nlohmann::json::array();
  for (const auto& node : view->nodes)
    nodes.push_back({{"id", node.id},
                     {"url", node.url},
                     {"cluster_address", node.cluster_address},
                     {"alive", node.alive},
                     {"partitions", node.partitions},
                     {"connections", node.connections}});
  call->ok({{"partitions", view->partitions},
            {"workspace_owner", view->workspace_owner},
            {"nodes", std::move(nodes)}});
}

void admin_cluster_locate(const call_ptr& call) {
  auto user = call->accept(parse_required(call->params, "user"));
  if (!user)
    return;
  auto where = call->gw.engine.locate(*user);
  if (!where) {
    call->fail(where.error());
    return;
  }
  call->ok({{"user", where->user}, {"partition", where->partition}, {"node", where->node}});
}

} // namespace presence::api::slack
