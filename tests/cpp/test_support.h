// Helpers shared by the C++ tests: latches, bounded waits for conditions, log capture.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dccview/log.h"

namespace dccview::testing {

// A one-shot gate: threads block in wait() until open() (or the timeout, a test failure).
class Gate {
 public:
  // Notifies under the lock: a waiter may destroy the gate as soon as it sees it open.
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return open_; });
  }
  bool is_open() {
    std::lock_guard lock(mutex_);
    return open_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `condition` until true or `timeout`; for states that have no notification (counters).
// Returns the final value of condition(), so a test asserts on it instead of hoping.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

// Captures log messages for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() {
    set_log_sink([this](LogLevel level, std::string_view message) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(std::string(to_string(level)) + ": " + std::string(message));
    });
  }
  ~LogCapture() { set_log_sink({}); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  bool contains(const std::string& needle) {
    for (const auto& line : lines()) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace dccview::testing
