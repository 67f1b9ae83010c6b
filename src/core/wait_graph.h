// src/core/wait_graph.h: the process-wide wait-for graph over loop threads (internal).
//
// Nodes are threads. "T waits for M" is recorded while T blocks in a synchronous call (or a drain)
// on the dispatcher whose loop runs on M. A wait is *serving* when T keeps running the synchronous
// requests addressed to its own loop while it waits (see Dispatcher's serving wait). A cycle of
// waits resolves as long as one thread in it serves; a cycle in which nobody serves is a deadlock,
// and begin_wait() refuses to close one: it throws DeadlockDetectedError before the wait starts.
#pragma once

#include <string>
#include <thread>

namespace dccview {
class Dispatcher;
}

namespace dccview::detail {

class WaitGraph {
 public:
  // The dispatcher whose loop runs on the calling thread, or nullptr. Thread-safe.
  static Dispatcher* loop_of_current_thread();
  // Called by Dispatcher::install (on the loop thread) and ~Dispatcher. Thread-safe.
  static void register_loop(Dispatcher* dispatcher, std::thread::id thread);
  static void unregister_loop(Dispatcher* dispatcher);

  // Records that the calling thread waits for `target` (a loop thread) until the returned scope
  // ends. `what` describes the wait for reports ("call 'export' on thread 'main' (tid 12)").
  // Throws DeadlockDetectedError, recording nothing, if the wait would close a cycle in which no
  // thread serves. Thread-safe.
  class Scope {
   public:
    Scope(std::thread::id target, bool serving, std::string what);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };
};

// Within its scope, waits on this thread do not serve requests addressed to its own loop (for
// sections where running nested tasks is unsafe). Such waits can then be reported as deadlocks.
bool serving_disabled_on_this_thread() noexcept;

}  // namespace dccview::detail
