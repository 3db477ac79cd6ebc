#pragma once

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <unistd.h>

#include <gtest/gtest.h>

#include "presence/events/result.hpp"

/// Shared test helpers (RocksDB's testharness.h style).

/// Fails the test with the error's code and message when `expr` (a status or result) is not ok.
#define ASSERT_OK(expr)                                                                    \
  do {                                                                                     \
    const auto& presence_st_ = (expr);                                                     \
    ASSERT_TRUE(presence_st_.ok()) << #expr << ": " << ::presence::describe(presence_st_.error()); \
  } while (false)

#define EXPECT_OK(expr)                                                                    \
  do {                                                                                     \
    const auto& presence_st_ = (expr);                                                     \
    EXPECT_TRUE(presence_st_.ok()) << #expr << ": " << ::presence::describe(presence_st_.error()); \
  } while (false)

/// Asserts `expr` failed with code `expected_code`.
#define ASSERT_ERRC(expr, expected_code)                                                   \
  do {                                                                                     \
    const auto& presence_st_ = (expr);                                                     \
    ASSERT_FALSE(presence_st_.ok()) << #expr << " succeeded, expected " << ::presence::to_string(expected_code); \
    ASSERT_EQ(presence_st_.error().code, expected_code) << ::presence::describe(presence_st_.error()); \
  } while (false)

namespace presence::test {

/// Repeats `probe` (each typically a round trip to a server, so no busy loop) until it holds or
/// `within` passes; whether it held.
inline bool eventually(const std::function<bool()>& probe,
                       std::chrono::milliseconds within = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline)
    if (probe())
      return true;
  return probe();
}

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir() {
    auto base = std::filesystem::temp_directory_path();
    static std::atomic<unsigned> counter{0};
    for (;;) {
      path_ = base / ("presence-test-" + std::to_string(::getpid()) + "-" +
                      std::to_string(counter++));
      std::error_code ec;
      if (std::filesystem::create_directory(path_, ec))
        break;
    }
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// A path inside the directory (not created).
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Whether a bound on a process's resident memory means anything in this build. Not under
/// AddressSanitizer: its quarantine keeps freed blocks resident (256 MiB by default) and its shadow
/// memory grows with every page touched, so such a bound would measure the sanitizer.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool rss_bounds_apply = false;
#else
inline constexpr bool rss_bounds_apply = true;
#endif

} // namespace presence::test
