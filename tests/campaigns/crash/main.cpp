// crash_campaign: kill -9 presenced at random moments under load and check nothing acknowledged
// was lost; with --cluster, any node of a cluster (see campaign.hpp, cluster_campaign.hpp and
// `crash_campaign --help`).

#include "campaign.hpp"
#include "cluster_campaign.hpp"

int main(int argc, char** argv) {
  presence::crash::campaign_options options;
  if (int code = presence::crash::parse_options(argc, argv, options); code >= 0)
    return code;
  if (options.cluster > 0)
    return presence::crash::cluster_campaign(std::move(options)).run();
  return presence::crash::campaign(std::move(options)).run();
}
