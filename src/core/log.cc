#include "dccview/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

namespace dccview {

namespace {

LogLevel parse_level(const char* text) noexcept {
  if (text == nullptr) return LogLevel::kWarn;
  const std::string value(text);
  for (int i = 0; i <= static_cast<int>(LogLevel::kOff); ++i) {
    if (value == to_string(static_cast<LogLevel>(i))) return static_cast<LogLevel>(i);
  }
  // Straight to stderr: the level is being read, so log() cannot be used yet.
  std::fprintf(stderr, "dccview: DCCVIEW_LOG='%s' is not one of trace, debug, info, warn, error, off: using warn\n",
               value.c_str());
  return LogLevel::kWarn;
}

std::atomic<int>& level_storage() noexcept {
  static std::atomic<int> level{static_cast<int>(parse_level(std::getenv("DCCVIEW_LOG")))};
  return level;
}

// The sink is swapped atomically (no lock: log() is the checker's own reporting channel) and called
// outside any dccview lock (it is user code).
std::atomic<std::shared_ptr<const LogSink>>& sink_storage() {
  static auto* storage = new std::atomic<std::shared_ptr<const LogSink>>();  // leaked: usable late
  return *storage;
}

void write_to_stderr(LogLevel level, std::string_view message) {
  std::fprintf(stderr, "dccview [%s] %.*s\n", to_string(level), static_cast<int>(message.size()),
               message.data());
}

}  // namespace

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "unknown";
}

void set_log_sink(LogSink sink) {
  auto next = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
  // The previous sink is destroyed here, outside any lock (its captures are user objects).
  sink_storage().exchange(std::move(next));
}

void set_log_level(LogLevel level) noexcept {
  level_storage().store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level() noexcept {
  return static_cast<LogLevel>(level_storage().load(std::memory_order_relaxed));
}

void log(LogLevel level, std::string_view message) noexcept {
  if (level == LogLevel::kOff || !log_enabled(level)) return;
  try {
    const std::shared_ptr<const LogSink> sink = sink_storage().load();
    if (sink) {
      (*sink)(level, message);
    } else {
      write_to_stderr(level, message);
    }
  } catch (...) {
    // The sink is the reporting channel of last resort; nothing better can be done.
  }
}

}  // namespace dccview
