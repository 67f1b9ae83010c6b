#include "errors.h"

#include <utility>

namespace nb = nanobind;

namespace dccview::python {

namespace {

struct ErrorTypes {
  PyObject* thread_safety = nullptr;
  PyObject* deadlock = nullptr;
  PyObject* timeout = nullptr;
  PyObject* shutdown = nullptr;
  PyObject* queue_full = nullptr;
  PyObject* javascript = nullptr;
  PyObject* web_process = nullptr;
};

ErrorTypes g_types;  // strong references, kept for the life of the process

PyObject* make_type(nb::module_& module, const char* name, const char* doc, PyObject* bases) {
  const std::string qualified = std::string("dccview.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw nb::python_error();
  Py_INCREF(type);  // one for g_types, one stolen by the module
  if (PyModule_AddObject(module.ptr(), name, type) != 0) throw nb::python_error();
  return type;
}

PyObject* tuple_of(PyObject* a, PyObject* b) { return PyTuple_Pack(2, a, b); }

void set_error(PyObject* type, const char* message) { PyErr_SetString(type, message); }

// A JavaScriptError instance carrying the page's name, message and stack as attributes (the Python
// package re-raises it in the RFC's "JavaScript error: ..." form).
void set_javascript_error(const JavaScriptError& error) {
  PyObject* instance = PyObject_CallFunction(g_types.javascript, "s", error.what());
  if (instance == nullptr) return;  // the failure to build it is the error that is set
  const std::pair<const char*, const std::string*> fields[] = {
      {"name", &error.name()}, {"message", &error.message()}, {"stack", &error.stack()}};
  for (const auto& [attribute, value] : fields) {
    PyObject* text = PyUnicode_DecodeUTF8(value->data(), static_cast<Py_ssize_t>(value->size()), "replace");
    if (text == nullptr || PyObject_SetAttrString(instance, attribute, text) != 0) {
      Py_XDECREF(text);
      Py_DECREF(instance);
      return;
    }
    Py_DECREF(text);
  }
  PyErr_SetObject(g_types.javascript, instance);
  Py_DECREF(instance);
}

void translate(const std::exception_ptr& error, void*) {
  try {
    std::rethrow_exception(error);
  } catch (const DeadlockDetectedError& e) {
    set_error(g_types.deadlock, e.what());
  } catch (const ThreadDispatchTimeoutError& e) {
    set_error(g_types.timeout, e.what());
  } catch (const ShutdownInProgressError& e) {
    set_error(g_types.shutdown, e.what());
  } catch (const QueueFullError& e) {
    set_error(g_types.queue_full, e.what());
  } catch (const ThreadSafetyError& e) {
    set_error(g_types.thread_safety, e.what());
  } catch (const JavaScriptError& e) {
    set_javascript_error(e);
  } catch (const WebProcessError& e) {
    set_error(g_types.web_process, e.what());
  }
}

}  // namespace

void bind_errors(nb::module_& module) {
  g_types.thread_safety = make_type(module, "ThreadSafetyError",
                                    "Base class of dccview's thread-safety errors.", PyExc_Exception);
  g_types.deadlock = make_type(module, "DeadlockDetectedError",
                               "A wait would close a cycle of waits that nobody serves, or a lock was "
                               "taken against the lock order.",
                               g_types.thread_safety);
  PyObject* timeout_bases = tuple_of(g_types.thread_safety, PyExc_TimeoutError);
  g_types.timeout = make_type(module, "ThreadDispatchTimeoutError",
                              "A synchronous dispatch did not finish in time (also a TimeoutError).",
                              timeout_bases);
  Py_DECREF(timeout_bases);
  g_types.shutdown = make_type(module, "ShutdownInProgressError",
                               "The target (dispatcher, WebView, interpreter) is shutting down or gone.",
                               g_types.thread_safety);
  g_types.queue_full = make_type(module, "QueueFullError",
                                 "A bounded queue refused the work (backpressure).", g_types.thread_safety);
  g_types.javascript = make_type(module, "JavaScriptError",
                                 "A page script threw or rejected (a RuntimeError).", PyExc_RuntimeError);
  g_types.web_process = make_type(module, "WebProcessError",
                                  "The process running the page ended (crashed, was killed, exceeded its "
                                  "memory limit) before the page answered; reload() brings the page back "
                                  "(a RuntimeError, not a JavaScriptError: no page bug).",
                                  PyExc_RuntimeError);
  nb::register_exception_translator(translate);
}

PyObject* exception_type(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kTimeout: return g_types.timeout;
    case ErrorCode::kShutdown: return g_types.shutdown;
    case ErrorCode::kDeadlock: return g_types.deadlock;
    case ErrorCode::kQueueFull: return g_types.queue_full;
    case ErrorCode::kJavaScript: return g_types.javascript;
    case ErrorCode::kWebProcess: return g_types.web_process;
    case ErrorCode::kInvalidArgument: return PyExc_ValueError;
    case ErrorCode::kOk:
    case ErrorCode::kTaskFailed: return nullptr;
  }
  return nullptr;
}

void raise_error(const Error& error) {
  const bool carries_detail = error.code == ErrorCode::kTaskFailed || error.code == ErrorCode::kJavaScript;
  if (carries_detail && error.exception) std::rethrow_exception(error.exception);
  PyObject* type = exception_type(error.code);
  if (type == nullptr) type = g_types.thread_safety;
  PyErr_SetString(type, error.message.c_str());
  throw nb::python_error();
}

}  // namespace dccview::python
