// src/core/wait_graph.h: the process-wide wait-for graph over loop threads (internal).
//
// Nodes are threads. "T waits for M" is recorded while T blocks in a synchronous call on the
// dispatcher whose loop runs on M. A wait is *serving* when T runs a dccview loop itself and keeps
// running the synchronous requests addressed to that loop while it waits (Dispatcher's serving wait).
// A cycle of waits resolves as long as one thread in it serves; a cycle in which nobody serves is a
// deadlock, and opening the Scope that would close one throws DeadlockDetectedError instead.
//
// Cost per wait: one uncontended leaf lock and a walk of the (usually empty) chain of waits. Thread
// names and task labels are only formatted when a deadlock is reported.
#pragma once

#include <string>
#include <thread>

namespace dccview {
class Dispatcher;
}

namespace dccview::detail {

class CallTaskBase;
class Completion;

class WaitGraph {
 public:
  // Called by Dispatcher::install (on the loop thread) and ~Dispatcher (any thread). Thread-safe.
  static void register_loop(Dispatcher* dispatcher);
  static void unregister_loop(Dispatcher* dispatcher);

  // Records that the calling thread waits for `target` (a loop thread; a default id means "no loop
  // yet": nothing to check) until the scope ends; `label` (alive as long as the scope) names what is
  // waited for in reports; `done` (alive as long as the scope) is set when the wait is answered.
  // The wait serves iff `may_serve` and the calling thread runs a dccview loop other than the
  // target's. `request` (alive as long as the scope): the
  // synchronous call waited for, which the target can run from inside a serving wait of its own
  // while it has not started; nullptr for work that needs the target back in its loop. Throws
  // DeadlockDetectedError, recording nothing, if the wait would close a cycle in which no thread can
  // run the request of the thread waiting for it. Thread-safe.
  class Scope {
   public:
    Scope(std::thread::id target, bool may_serve, const std::string* label, const Completion* done,
          const CallTaskBase* request);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    // The calling thread's own loop when this wait serves it, else nullptr.
    Dispatcher* serving_loop() const noexcept { return serving_loop_; }

   private:
    Dispatcher* serving_loop_ = nullptr;
    bool registered_ = false;
  };
};

// True inside a ScopedNoServingWait on this thread.
bool serving_disabled_on_this_thread() noexcept;

}  // namespace dccview::detail
