// `presencectl verify`: every record, index and snapshot checked; exit 1 on any fault.
#include "commands.hpp"
#include "database.hpp"
#include "verifier.hpp"

namespace presence::tools {

result<verify_summary> run_verify(const std::string& db, std::ostream& out) {
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  verifier check(**log, out);
  auto faults = check.run();
  if (!faults)
    return faults.error();
  return verify_summary{*faults};
}

} // namespace presence::tools
