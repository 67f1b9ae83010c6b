// interrupts.h: KeyboardInterrupt and SystemExit belong to the main thread.
//
// Python raises KeyboardInterrupt (Ctrl-C) inside whatever Python code the main thread runs, and a
// tool calls sys.exit() wherever it likes: inside a posted task, a page handler or an evaluation
// callback. Native code that calls Python must not swallow either (report it as "Exception ignored",
// or turn it into a page error): forward_interrupt() hands it to the main thread instead.
//   - While the main thread runs dccview's own loop (OwnedLoop through the binding's run()), the
//     loop is told to return and run() raises the exception.
//   - Otherwise (a host's loop serves the main thread) it is raised on the main thread at its next
//     Python bytecode, through Py_AddPendingCall: the host's own Python sees it, as if raised there.
// The first interrupt wins until it has been raised; later ones are dropped (the process is already
// on its way out).
#pragma once

#include <Python.h>

namespace dccview {
class OwnedLoop;
}

namespace dccview::python {

// Call with a Python error set and the GIL held. When the error is a KeyboardInterrupt or a
// SystemExit it is taken (cleared here) and forwarded to the main thread as described above, and
// true is returned; any other error is left set and false is returned. Any thread.
bool forward_interrupt() noexcept;

// The main thread runs `loop` (nullptr: no longer): a forwarded interrupt makes it return. Main
// thread, GIL held.
void set_running_loop(OwnedLoop* loop) noexcept;

// set_running_loop(loop) for a scope. Main thread.
class RunningLoopScope {
 public:
  explicit RunningLoopScope(OwnedLoop* loop) noexcept { set_running_loop(loop); }
  ~RunningLoopScope() { set_running_loop(nullptr); }
  RunningLoopScope(const RunningLoopScope&) = delete;
  RunningLoopScope& operator=(const RunningLoopScope&) = delete;
};

// Raises (sets as the current Python error) a forwarded interrupt that has not been raised yet and
// returns true; false when there is none. Main thread, GIL held.
bool raise_forwarded_interrupt() noexcept;

}  // namespace dccview::python
