// dccview/log.h: logging through one pluggable sink.
//
// Offers
//   LogLevel             trace < debug < info < warn < error < off.
//   set_log_sink(sink)   routes every message to `sink` (Python routes it to `logging`).
//   set_log_level(l)     drops messages below `l`. The initial level comes from DCCVIEW_LOG
//                        (trace|debug|info|warn|error|off), default warn.
//   log(level, message)  emits one message.
//
// The default sink writes "dccview [level] message" lines to stderr.
// The sink is user code: dccview never calls it while holding a dccview lock. A sink that throws
// has its exception swallowed (it is the reporting channel of last resort).
#pragma once

#include <functional>
#include <string_view>

namespace dccview {

enum class LogLevel : int { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Name of `level` ("trace", ..., "off"). Thread-safe.
const char* to_string(LogLevel level) noexcept;

// Replaces the sink; an empty sink restores the default stderr sink. Messages being emitted
// concurrently go to either the old or the new sink. Thread-safe.
void set_log_sink(LogSink sink);

// Sets the minimum level that reaches the sink. Thread-safe.
void set_log_level(LogLevel level) noexcept;

// Current minimum level. Thread-safe.
LogLevel log_level() noexcept;

// True when a message at `level` would reach the sink (lets callers skip formatting). Thread-safe.
inline bool log_enabled(LogLevel level) noexcept { return level >= log_level(); }

// Emits `message` at `level`. Thread-safe; never throws.
void log(LogLevel level, std::string_view message) noexcept;

}  // namespace dccview
