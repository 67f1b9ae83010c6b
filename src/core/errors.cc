#include "dccview/errors.h"

namespace dccview {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kShutdown: return "shutdown";
    case ErrorCode::kDeadlock: return "deadlock";
    case ErrorCode::kQueueFull: return "queue_full";
    case ErrorCode::kTaskFailed: return "task_failed";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kJavaScript: return "javascript";
    case ErrorCode::kWebProcess: return "web_process";
  }
  return "unknown";
}

void throw_error(const Error& error) {
  switch (error.code) {
    case ErrorCode::kTimeout: throw ThreadDispatchTimeoutError(error.message);
    case ErrorCode::kShutdown: throw ShutdownInProgressError(error.message);
    case ErrorCode::kDeadlock: throw DeadlockDetectedError(error.message);
    case ErrorCode::kQueueFull: throw QueueFullError(error.message);
    case ErrorCode::kTaskFailed:
      if (error.exception) std::rethrow_exception(error.exception);
      throw ThreadSafetyError(error.code, error.message);
    case ErrorCode::kInvalidArgument: throw std::invalid_argument(error.message);
    case ErrorCode::kJavaScript:
      if (error.exception) std::rethrow_exception(error.exception);  // the page's name and stack
      throw JavaScriptError(error.message);
    case ErrorCode::kWebProcess: throw WebProcessError(error.message);
    case ErrorCode::kOk: break;
  }
  throw std::logic_error("throw_error called with ErrorCode::kOk: " + error.message);
}

}  // namespace dccview
