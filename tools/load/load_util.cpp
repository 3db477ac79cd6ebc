// Output, file-limit and tokens-file helpers of presence-load.
#include "load_util.hpp"

#include <fstream>
#include <iostream>
#include <utility>

#include <sys/resource.h>

namespace presence::load {

void emit(const nlohmann::json& line) {
  std::cout << line.dump() << '\n' << std::flush;
}

uint64_t raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

bool enough_open_files(uint64_t needed) {
  const uint64_t files = raise_file_limit();
  if (files == 0 || needed <= files)
    return true;
  emit({{"bench", "load"}, {"error", "open-file limit"},
        {"detail", "need " + std::to_string(needed) + " descriptors, RLIMIT_NOFILE is " +
                     std::to_string(files) + " (hard limit; raise it with ulimit -Hn as root)"}});
  return false;
}

bool read_tokens(const std::string& path, std::size_t count, std::vector<std::string>& ids,
                 std::vector<std::string>& tokens) {
  if (path.empty())
    return false;
  std::ifstream in{path};
  std::vector<std::pair<std::string, std::string>> listed;
  for (std::string id, token; listed.size() < count && in >> id >> token;)
    listed.emplace_back(std::move(id), std::move(token));
  if (listed.size() < count)
    return false;
  ids.resize(count);
  tokens.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    ids[i] = std::move(listed[i].first);
    tokens[i] = std::move(listed[i].second);
  }
  return true;
}

void write_tokens(const std::string& path, const std::vector<std::string>& ids,
                  const std::vector<std::string>& tokens) {
  if (path.empty())
    return;
  std::ofstream out{path, std::ios::trunc};
  for (std::size_t i = 0; i < tokens.size() && i < ids.size(); ++i)
    if (!tokens[i].empty())
      out << ids[i] << ' ' << tokens[i] << '\n';
}

} // namespace presence::load
