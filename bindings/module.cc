// dccview._core: the native module under the Python package dccview (see dccview/__init__.py).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <mutex>

#include "core/thread_name.h"
#include "dccview/lock_order.h"
#include "dccview/log.h"
#include "dispatcher.h"
#include "errors.h"
#include "python_gate.h"
#include "web_backend.h"
#include "webview.h"

namespace nb = nanobind;

namespace dccview::python {

namespace {

void write_to_stderr(LogLevel level, std::string_view message) {
  std::fprintf(stderr, "dccview [%s] %.*s\n", to_string(level), static_cast<int>(message.size()),
               message.data());
}

// Calls handler(level_name, message) with the GIL held; false when it raised (the error is cleared).
bool call_log_handler(PyObject* handler, LogLevel level, std::string_view message) {
  PyObject* out = PyObject_CallFunction(handler, "ss#", to_string(level), message.data(),
                                        static_cast<Py_ssize_t>(message.size()));
  if (out == nullptr) {
    PyErr_Clear();
    return false;
  }
  Py_DECREF(out);
  return true;
}

// A log line waiting for the interpreter to run pending calls (see log_later).
struct PendingLogLine {
  std::shared_ptr<PyRef> handler;
  LogLevel level;
  std::string message;
};

int deliver_pending_log_line(void* raw) {  // runs on Python's main thread, GIL held
  std::unique_ptr<PendingLogLine> line(static_cast<PendingLogLine*>(raw));
  if (!call_log_handler(line->handler->get(), line->level, line->message)) {
    write_to_stderr(line->level, line->message);
  }
  return 0;
}

// A thread holding a dccview lock must not wait for the GIL: that is the very inversion the
// lock-order checker reports, and a report stuck behind it would never be seen. The line goes to
// stderr now and reaches the logger later, when Python's main thread runs its pending calls.
void log_later(const std::shared_ptr<PyRef>& handler, LogLevel level, std::string_view message) {
  write_to_stderr(level, message);
  if (!PythonGate::is_open()) return;
  auto line = std::make_unique<PendingLogLine>(PendingLogLine{handler, level, std::string(message)});
  if (Py_AddPendingCall(&deliver_pending_log_line, line.get()) == 0) {
    [[maybe_unused]] PendingLogLine* owned_by_the_call = line.release();  // freed by the pending call
  }
}

// Native log lines go to a Python callable(level_name, message) (the `logging` logger "dccview");
// once the interpreter is going away they go to stderr.
void set_log_handler(nb::handle handler) {
  if (handler.is_none()) {
    set_log_sink({});
    return;
  }
  auto callable = std::make_shared<PyRef>(handler.ptr());
  set_log_sink([callable](LogLevel level, std::string_view message) {
    if (PyGILState_Check() == 0 && holds_checked_lock()) {
      log_later(callable, level, message);
      return;
    }
    try {
      GilAcquire gil(GilAcquire::Check::kNone);
      if (gil.ok() && call_log_handler(callable->get(), level, message)) return;
    } catch (...) {
      // fall through to stderr: logging must never fail its caller
    }
    write_to_stderr(level, message);
  });
}

void set_log_level_by_name(const std::string& name) {
  static constexpr LogLevel kLevels[] = {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo,
                                         LogLevel::kWarn,  LogLevel::kError, LogLevel::kOff};
  for (LogLevel level : kLevels) {
    if (name == to_string(level)) {
      set_log_level(level);
      return;
    }
  }
  throw std::invalid_argument("unknown log level '" + name + "'");
}

// Test hook: calls fn() while holding a checked dccview lock, the way a careless native path would
// call back into Python: the GIL acquisition must be reported as a lock-order violation.
void call_under_library_lock(nb::handle fn) {
  static CheckedMutex mutex("dccview.testing.state", LockLevel::kState);
  auto callable = std::make_shared<PyRef>(fn.ptr());
  std::exception_ptr failure;
  {
    BlockingScope blocking;
    std::thread([&] {
      try {
        CheckedLock lock(mutex);
        GilAcquire gil;
        if (gil.ok()) call_reporting(callable->get(), "dccview testing hook");
      } catch (...) {
        failure = std::current_exception();
      }
    }).join();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

}  // namespace dccview::python

NB_MODULE(_core, m) {
  using namespace dccview::python;
  m.doc() = "dccview's native core: dispatcher, WebView, errors (use the dccview package instead).";
  // A tool's module globals legitimately keep views alive until the host's interpreter finalizes
  // (the exit hook has closed them by then); nanobind's leak report would alarm artists at every
  // host exit for objects that are simply still referenced.
  nb::set_leak_warnings(false);
  bind_errors(m);
  bind_dispatcher(m);
  bind_webview(m);
  bind_web_backend(m);
  m.def("set_log_handler", &set_log_handler, nb::arg("handler").none(),
        "Routes native log lines to handler(level_name, message); None restores stderr.");
  m.def("set_log_level", &set_log_level_by_name, nb::arg("level"));
  m.def("close_gate", [](double timeout_s) {
    return PythonGate::close(std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)));
  }, nb::arg("timeout_s"), "Exit hook: native threads stop entering Python; waits for those inside.");
  m.def("gate_open", &PythonGate::is_open);
  m.def("set_current_thread_name", [](const std::string& name) { dccview::detail::set_current_thread_name(name); },
        nb::arg("name"), "Names the calling thread for the OS (ps, top, debuggers); Linux cuts it to 15 bytes.");
  m.def("set_lock_order_mode", [](const std::string& mode) {
    using dccview::LockOrderMode;
    if (mode == "off") dccview::set_lock_order_mode(LockOrderMode::kOff);
    else if (mode == "report") dccview::set_lock_order_mode(LockOrderMode::kReport);
    else if (mode == "throw") dccview::set_lock_order_mode(LockOrderMode::kThrow);
    else if (mode == "abort") dccview::set_lock_order_mode(LockOrderMode::kAbort);
    else throw std::invalid_argument("lock order mode must be off, report, throw or abort");
  }, nb::arg("mode"));
  m.def("configure_lock_order", [](bool debug_lock_order) {
    dccview::ThreadSafetyConfig config;
    config.debug_lock_order = debug_lock_order;
    dccview::configure_lock_order(config);
  }, nb::arg("debug_lock_order"),
        "Applies ThreadSafetyConfig.debug_lock_order (throw or report) unless DCCVIEW_LOCK_ORDER or "
        "set_lock_order_mode() decided the mode.");
  m.def("_call_under_library_lock", &call_under_library_lock, nb::arg("fn"));
}
