// Helper process for event_log_open_test: opens the database in argv[1] as the writer, prints
// "ready", and holds the write lock until its stdin reaches end of file. Exit 0 on success.
#include <cstdio>
#include <unistd.h>

#include "presence/storage/event_log.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DB\n", argv[0]);
    return 2;
  }
  presence::storage::open_options options;
  options.path = argv[1];
  auto log = presence::storage::event_log::open(options);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", presence::describe(log.error()).c_str());
    return 1;
  }
  std::fputs("ready\n", stdout);
  std::fflush(stdout);
  char byte;
  while (::read(STDIN_FILENO, &byte, 1) > 0) {
  }
  return 0;
}
