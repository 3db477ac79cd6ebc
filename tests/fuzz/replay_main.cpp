// The corpus replay: feeds every file of the directories (or files) named on the command line to
// the target's LLVMFuzzerTestOneInput, without libFuzzer, so the normal (g++) build and CI run
// every committed corpus entry and every past crasher as a regression test.
//
// Exit status: 0 when every input ran (a failed check aborts the process), 1 when an argument is
// missing or unreadable, or when no input at all was found (a replay of nothing proves nothing).
// Files whose names start with '.' (e.g. .gitkeep) are skipped.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

/// The regular files under `root` (itself when it is a file), sorted for a stable order.
std::vector<fs::path> inputs_of(const fs::path& root) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(root)) {
    files.push_back(root);
    return files;
  }
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  std::size_t bytes = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path root(argv[i]);
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      return 1;
    }
    for (const auto& file : inputs_of(root)) {
      std::string data;
      if (!read_file(file, data)) {
        std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
        return 1;
      }
      // Printed before running, so a crash names its input.
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), data.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++count;
      bytes += data.size();
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "replay: no input found\n");
    return 1;
  }
  std::printf("replay: %zu inputs, %zu bytes, no failure\n", count, bytes);
  return 0;
}
