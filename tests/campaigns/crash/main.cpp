// crash_campaign: kill -9 presenced at random moments under load and check nothing acknowledged
// was lost (see campaign.hpp and `crash_campaign --help`).

#include "campaign.hpp"

int main(int argc, char** argv) {
  presence::crash::campaign_options options;
  if (int code = presence::crash::parse_options(argc, argv, options); code >= 0)
    return code;
  return presence::crash::campaign(std::move(options)).run();
}
