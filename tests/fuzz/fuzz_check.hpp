#pragma once
// Shared by the fuzz targets: a check that stays on in release builds (assert() is compiled out
// under NDEBUG) and crashes loudly, so libFuzzer and the corpus replay both see a failure.

#include <cstdio>
#include <cstdlib>

/// Aborts with the failed condition and its place when `cond` is false, in every build type.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)
