#include "interrupts.h"

#include <atomic>

#include "dccview/owned_loop.h"

namespace dccview::python {

namespace {

// The forwarded exception instance (an owned reference), until raised. Exchanged atomically: the
// forwarding thread and the main thread both hold the GIL when they touch it, but the pending call
// may run between them.
std::atomic<PyObject*> g_forwarded{nullptr};
std::atomic<OwnedLoop*> g_running_loop{nullptr};

int raise_pending(void*) { return raise_forwarded_interrupt() ? -1 : 0; }

}  // namespace

bool forward_interrupt() noexcept {
  if (!PyErr_ExceptionMatches(PyExc_KeyboardInterrupt) && !PyErr_ExceptionMatches(PyExc_SystemExit)) {
    return false;
  }
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyErr_NormalizeException(&type, &value, &traceback);
  if (value != nullptr && traceback != nullptr) PyException_SetTraceback(value, traceback);
  Py_XDECREF(type);
  Py_XDECREF(traceback);
  PyObject* expected = nullptr;
  if (value == nullptr || !g_forwarded.compare_exchange_strong(expected, value)) {
    Py_XDECREF(value);  // an interrupt is already on its way to the main thread
    return true;
  }
  // Sequentially consistent with set_running_loop() and the main thread's check after it: either
  // this sees the loop the main thread runs, or the main thread sees the forwarded interrupt.
  if (OwnedLoop* loop = g_running_loop.load()) {
    loop->quit();  // run() raises it when the loop returns
    return true;
  }
  if (Py_AddPendingCall(raise_pending, nullptr) == 0) return true;
  // The pending-call queue is full: the error stays with the caller, which reports it as before.
  if (raise_forwarded_interrupt()) return false;
  return true;  // the main thread took it meanwhile
}

void set_running_loop(OwnedLoop* loop) noexcept { g_running_loop.store(loop); }

bool raise_forwarded_interrupt() noexcept {
  PyObject* error = g_forwarded.exchange(nullptr);
  if (error == nullptr) return false;
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error)), error);
  Py_DECREF(error);
  return true;
}

}  // namespace dccview::python
