// dccview/errors.h: the error vocabulary shared by every dccview API.
//
// Offers
//   ErrorCode                 one code per expected failure; maps 1:1 to an exception class.
//   ThreadSafetyError         base exception (RFC "Error Handling"), carries an ErrorCode.
//     DeadlockDetectedError   a wait would close a cycle that cannot be served.
//     ThreadDispatchTimeoutError  a synchronous dispatch did not finish in time.
//     ShutdownInProgressError the target is shutting down or gone.
//     QueueFullError          a bounded queue refused the task (backpressure).
//   JavaScriptError           a page script threw or rejected (not a thread-safety error).
//   WebProcessError           the engine process running the page ended before it answered.
//   HandlerError              a handler failure named by a language binding (Python's exception type).
//   Error                     a code plus a human-readable message, for non-throwing APIs.
//   Result<T>                 value or Error, returned by the non-throwing APIs (`try_*`).
//   throw_error(code, msg)    throws the exception class that matches `code`.
//
// Three tiers (see docs/architecture.md): contract violations (calling a main-thread-only method on
// another thread, ...) throw std::logic_error; expected failures use these codes; at C, JS and
// Python boundaries every failure is mapped to a code by a noexcept filter.
//
// Thread-safety: all types here are plain values; distinct objects may be used on distinct threads.
#pragma once

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dccview {

enum class ErrorCode : int {
  kOk = 0,
  kTimeout = 1,          // ThreadDispatchTimeoutError
  kShutdown = 2,         // ShutdownInProgressError
  kDeadlock = 3,         // DeadlockDetectedError
  kQueueFull = 4,        // QueueFullError
  kTaskFailed = 5,       // the task threw; Error::exception holds what it threw
  kInvalidArgument = 6,  // std::invalid_argument
  kJavaScript = 7,       // JavaScriptError: the page's script failed
  kWebProcess = 8,       // WebProcessError: the page's web process ended (crash, kill, memory limit)
};

// Stable lower-case name of `code` ("timeout", "shutdown", ...). Thread-safe.
const char* to_string(ErrorCode code) noexcept;

class ThreadSafetyError : public std::runtime_error {
 public:
  ThreadSafetyError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

class DeadlockDetectedError : public ThreadSafetyError {
 public:
  explicit DeadlockDetectedError(const std::string& message)
      : ThreadSafetyError(ErrorCode::kDeadlock, message) {}
};

class ThreadDispatchTimeoutError : public ThreadSafetyError {
 public:
  explicit ThreadDispatchTimeoutError(const std::string& message)
      : ThreadSafetyError(ErrorCode::kTimeout, message) {}
};

class ShutdownInProgressError : public ThreadSafetyError {
 public:
  explicit ShutdownInProgressError(const std::string& message)
      : ThreadSafetyError(ErrorCode::kShutdown, message) {}
};

class QueueFullError : public ThreadSafetyError {
 public:
  explicit QueueFullError(const std::string& message)
      : ThreadSafetyError(ErrorCode::kQueueFull, message) {}
};

// A page-side failure: a script threw or rejected. Not a ThreadSafetyError (nothing about threads
// went wrong); Python maps it to JavaScriptError, a RuntimeError.
class JavaScriptError : public std::runtime_error {
 public:
  explicit JavaScriptError(const std::string& message) : std::runtime_error(message) {}
  // The page's error: its name ("TypeError"), message and stack; what() is "name: message".
  JavaScriptError(std::string name, const std::string& message, std::string stack)
      : std::runtime_error(name + ": " + message), name_(std::move(name)), message_(message),
        stack_(std::move(stack)) {}
  // Thread-safe (immutable). Empty when built from a message alone.
  const std::string& name() const noexcept { return name_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& stack() const noexcept { return stack_; }

 private:
  std::string name_, message_, stack_;
};

// The process running the page ended (it crashed, was killed, or exceeded its memory limit) before
// the page answered: no page bug, and the page is gone until reload(). The JsError name the page side
// reports for it is kWebProcessErrorName.
class WebProcessError : public std::runtime_error {
 public:
  explicit WebProcessError(const std::string& message) : std::runtime_error(message) {}
};
inline constexpr const char* kWebProcessErrorName = "WebProcessError";

// Thrown by a WebView handler written in another language (Python) to say which exception type failed:
// the page's HandlerError carries type_name() instead of the C++ type.
class HandlerError : public std::runtime_error {
 public:
  HandlerError(std::string type_name, const std::string& message)
      : std::runtime_error(message), type_name_(std::move(type_name)) {}
  const std::string& type_name() const noexcept { return type_name_; }

 private:
  std::string type_name_;
};

struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;
  // Set when code == kTaskFailed: exactly what the task threw.
  std::exception_ptr exception;
};

// Throws the exception class that matches error.code; for kTaskFailed rethrows error.exception.
// Precondition: error.code != kOk. Thread-safe.
[[noreturn]] void throw_error(const Error& error);

// Value-or-error for the non-throwing APIs. Not thread-safe (a plain value).
template <class T>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  ErrorCode code() const noexcept { return ok() ? ErrorCode::kOk : std::get<1>(state_).code; }
  // Precondition: !ok().
  const Error& error() const { return std::get<1>(state_); }
  // Returns the value, or throws what error() describes.
  T& value() & {
    if (!ok()) throw_error(std::get<1>(state_));
    return std::get<0>(state_);
  }
  const T& value() const& {
    if (!ok()) throw_error(std::get<1>(state_));
    return std::get<0>(state_);
  }
  T&& value() && {
    if (!ok()) throw_error(std::get<1>(state_));
    return std::move(std::get<0>(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit

  bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  ErrorCode code() const noexcept { return ok() ? ErrorCode::kOk : error_->code; }
  const Error& error() const { return *error_; }
  void value() const {
    if (!ok()) throw_error(*error_);
  }

 private:
  std::optional<Error> error_;
};

}  // namespace dccview
