#include "python_gate.h"

#include <pthread.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <utility>

#include "dccview/errors.h"
#include "dccview/lock_order.h"
#include "interrupts.h"

namespace dccview::python {

namespace {

// A native thread entering Python shows there under its OS name (threading.current_thread().name is
// "dccview-webview", not "Dummy-2"). Once per thread, with the GIL held; any error is swallowed and
// the caller's pending exception, if any, is kept.
void name_python_thread() noexcept {
  char name[32] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0 || name[0] == '\0') return;
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyObject* threading = PyImport_ImportModule("threading");
  PyObject* current = threading ? PyObject_CallMethod(threading, "current_thread", nullptr) : nullptr;
  PyObject* dummy = threading ? PyObject_GetAttrString(threading, "_DummyThread") : nullptr;
  if (current != nullptr && dummy != nullptr && PyObject_IsInstance(current, dummy) == 1) {
    if (PyObject* text = PyUnicode_DecodeUTF8(name, static_cast<Py_ssize_t>(std::strlen(name)), "replace")) {
      PyObject_SetAttrString(current, "name", text);
      Py_DECREF(text);
    }
  }
  Py_XDECREF(dummy);
  Py_XDECREF(current);
  Py_XDECREF(threading);
  PyErr_Clear();
  PyErr_Restore(type, value, traceback);
}

}  // namespace

namespace {

struct GateState {
  std::mutex mutex;  // a leaf in practice: held only for counter updates, never across user code
  std::condition_variable left;
  long inside = 0;
  bool open = true;
};

GateState& gate() {
  static auto* state = new GateState;  // never destroyed: native threads may outlive static teardown
  return *state;
}

const ExternalLock& gil_lock() {
  static const ExternalLock lock("python.gil", LockLevel::kPythonGil);
  return lock;
}

}  // namespace

bool PythonGate::enter() noexcept {
  GateState& state = gate();
  std::lock_guard lock(state.mutex);
  if (!state.open) return false;
  ++state.inside;
  return true;
}

void PythonGate::leave() noexcept {
  GateState& state = gate();
  std::lock_guard lock(state.mutex);
  if (--state.inside == 0) state.left.notify_all();
}

bool PythonGate::is_open() noexcept {
  GateState& state = gate();
  std::lock_guard lock(state.mutex);
  return state.open;
}

bool PythonGate::close(std::chrono::milliseconds timeout) {
  GateState& state = gate();
  GilRelease release;  // the crossings we wait for may need the GIL to finish
  std::unique_lock lock(state.mutex);
  state.open = false;
  return state.left.wait_for(lock, timeout, [&] { return state.inside == 0; });
}

// Whether the checker was told that this thread holds the GIL (GilAcquire noted it and no GilRelease
// is in between): keeps the checker's view balanced across release/re-acquire pairs.
thread_local bool t_gil_noted = false;

GilAcquire::GilAcquire(Check check) : already_held_(PyGILState_Check() != 0) {
  if (!ticket_) return;
  if (already_held_) return;  // re-entry on a thread that runs Python: nothing is acquired
  noted_ = check == Check::kLockOrder && !t_gil_noted;
  if (noted_) gil_lock().check_acquire();
  state_ = PyGILState_Ensure();
  if (noted_) {
    gil_lock().note_acquired();
    t_gil_noted = true;
  }
  static thread_local bool named = false;
  if (check == Check::kLockOrder && !std::exchange(named, true)) name_python_thread();
}

GilAcquire::~GilAcquire() {
  if (!ticket_ || already_held_) return;
  if (noted_) {
    t_gil_noted = false;
    gil_lock().note_released();
  }
  PyGILState_Release(state_);
}

GilRelease::GilRelease() noexcept : saved_(PyEval_SaveThread()), was_noted_(t_gil_noted) {
  if (was_noted_) {
    t_gil_noted = false;
    gil_lock().note_released();
  }
}

GilRelease::~GilRelease() {
  PyEval_RestoreThread(saved_);
  if (was_noted_) {
    gil_lock().note_acquired();
    t_gil_noted = true;
  }
}

void PyRef::reset() noexcept {
  PyObject* object = std::exchange(object_, nullptr);
  if (object == nullptr) return;
  if (PyGILState_Check()) {
    Py_DECREF(object);
    return;
  }
  try {
    GilAcquire gil;
    if (gil.ok()) Py_DECREF(object);  // else: the interpreter is going away; leak on purpose
  } catch (...) {
    // A lock-order violation while dropping a reference: leaking is the only safe outcome.
  }
}

void call_reporting(PyObject* callable, const char* context) noexcept {
  PyObject* result = PyObject_CallNoArgs(callable);
  if (result != nullptr) {
    Py_DECREF(result);
    return;
  }
  if (forward_interrupt()) return;  // KeyboardInterrupt and SystemExit go to the main thread
  PyObject* where = PyUnicode_FromString(context);
  PyErr_WriteUnraisable(where);
  Py_XDECREF(where);
}

BlockingScope::BlockingScope() {
  if (!ticket_) throw ShutdownInProgressError("dccview: the interpreter is shutting down");
  release_.emplace();
}

}  // namespace dccview::python
