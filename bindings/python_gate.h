// python_gate.h: how native threads enter Python safely, and how Python threads leave it.
//
// Three rules hold for every crossing between dccview's native threads and the interpreter:
//   1. A thread that blocks (waits for another thread, runs a native loop) releases the GIL first
//      (GilRelease), so the thread it waits for can run Python.
//   2. A native thread takes the GIL only through GilAcquire, which tells the lock-order checker: the
//      GIL is the outermost level, so taking it while holding a dccview lock is reported as a
//      lock-order violation (in throw mode: DeadlockDetectedError) instead of deadlocking.
//   3. Both kinds of crossing pass the PythonGate. At interpreter exit, dccview's exit hook closes the
//      gate and waits for every crossing in progress to leave; afterwards native threads never touch
//      Python again (a reference they still hold is leaked, never released without the GIL), and a
//      Python thread's blocking call fails at once with ShutdownInProgressError. That is what makes
//      "exit with views open and workers still posting" neither crash nor hang.
#pragma once

#include <Python.h>

#include <chrono>
#include <optional>
#include <utility>

namespace dccview::python {

// Process-wide gate over every native <-> Python crossing. Thread-safe.
class PythonGate {
 public:
  // Counts the caller in; false once the gate is closed (the caller must not touch Python).
  static bool enter() noexcept;
  static void leave() noexcept;
  static bool is_open() noexcept;
  // Closes the gate and waits up to `timeout` for the crossings in progress to leave. The caller
  // holds the GIL; it is released while waiting. Returns true when everyone left.
  static bool close(std::chrono::milliseconds timeout);
};

// Holds a place in the gate for a scope. Thread-safe (one per thread scope).
class GateTicket {
 public:
  GateTicket() noexcept : entered_(PythonGate::enter()) {}
  ~GateTicket() {
    if (entered_) PythonGate::leave();
  }
  GateTicket(const GateTicket&) = delete;
  GateTicket& operator=(const GateTicket&) = delete;
  explicit operator bool() const noexcept { return entered_; }

 private:
  bool entered_;
};

// Takes the GIL on any thread (rule 2). Check ok() before touching Python: false when the gate is
// closed. Throws DeadlockDetectedError (throw mode) when the calling thread holds a dccview lock.
class GilAcquire {
 public:
  enum class Check { kLockOrder, kNone };
  // kNone is for the log sink only: the checker's own reports are logged through it.
  explicit GilAcquire(Check check = Check::kLockOrder);
  ~GilAcquire();
  GilAcquire(const GilAcquire&) = delete;
  GilAcquire& operator=(const GilAcquire&) = delete;
  bool ok() const noexcept { return static_cast<bool>(ticket_); }

 private:
  bool already_held_;
  bool noted_ = false;  // told the lock-order checker
  GateTicket ticket_;
  PyGILState_STATE state_{};
};

// Releases the GIL for a blocking scope (rule 1). The calling thread must hold the GIL.
class GilRelease {
 public:
  GilRelease() noexcept;
  ~GilRelease();
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* saved_;
  bool was_noted_;  // the checker knew this thread held the GIL: tell it again on restore
};

// An owned reference to a Python object that native code may keep, move and drop on any thread:
// dropping takes the GIL (through the gate) and leaks the reference when the gate is closed.
class PyRef {
 public:
  PyRef() noexcept = default;
  // Steals nothing: takes a new reference to `object`. The caller holds the GIL.
  explicit PyRef(PyObject* object) noexcept : object_(object) { Py_XINCREF(object_); }
  PyRef(PyRef&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  PyRef& operator=(PyRef&& other) noexcept {
    if (this != &other) {
      reset();
      object_ = std::exchange(other.object_, nullptr);
    }
    return *this;
  }
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  ~PyRef() { reset(); }

  PyObject* get() const noexcept { return object_; }
  void reset() noexcept;

 private:
  PyObject* object_ = nullptr;
};

// Calls `callable()` with the GIL held by the caller; an exception it raises goes to
// sys.unraisablehook (with `context` in the report), never lost and never propagated into native code.
void call_reporting(PyObject* callable, const char* context) noexcept;

// A Python thread's blocking native call: holds a place in the gate (failing at once with
// ShutdownInProgressError once it is closed) and releases the GIL for the scope.
class BlockingScope {
 public:
  BlockingScope();
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;

 private:
  GateTicket ticket_;                 // declared first: left after the GIL is back
  std::optional<GilRelease> release_;  // engaged once the ticket is known to be valid
};

}  // namespace dccview::python
