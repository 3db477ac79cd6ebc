#pragma once

// A barrier between presence-load processes and the script that drives them: a process announces
// that it reached a point and waits until a file of that name appears in a directory.

#include <filesystem>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace presence::load {

/// Single-threaded: runs on `io`'s thread, as must `await`.
class file_barrier {
 public:
  /// `dir` empty: every `await` goes on at once.
  file_barrier(boost::asio::io_context& io, std::string dir);

  /// Without a directory runs `then` now. Otherwise prints `{"bench":"load","phase":"barrier",
  /// "name":name}` and runs `then` once the file `dir/name` exists (polled every 100 ms). One
  /// wait at a time.
  void await(const std::string& name, std::function<void()> then);

 private:
  void poll();

  boost::asio::steady_timer timer_;
  std::string dir_;
  std::filesystem::path waiting_for_;
  std::function<void()> then_;
};

} // namespace presence::load
