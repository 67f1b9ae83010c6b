// dccview/dispatcher.h: run work on a thread that owns an event loop (the DCC main thread, or the
// WebView thread), from any thread, with timeouts and graceful shutdown.
//
// Offers
//   Dispatcher::install<Loop>(args...)  the calling thread becomes the main thread.
//   is_main_thread()                    is the calling thread the one that installed the loop?
//   post(fn)                            fire-and-forget (RFC run_on_main_thread).
//   call(fn, timeout)                   run and wait for the value (RFC run_on_main_thread_sync).
//   try_call(fn, timeout)               the same, returning Result<T> instead of throwing.
//   shutdown(), wait_for_drain(t)       graceful shutdown (RFC "Graceful Shutdown").
//   pump(budget)                        for host loops: run queued work on the main thread.
//
// Guarantees of post()
//   1. Never runs the task inline, not even on the main thread.
//   2. Tasks run on the main thread in the order they were posted: from one thread, in its order;
//      from several, a post that happens before another (a thread posts, then tells a thread that
//      posts) runs before it (TaskQueue guarantee 2).
//   3. Returns false iff the task will never run (shutdown, or a full bounded queue); the task is
//      then destroyed on the calling thread before post() returns.
//   4. A task that throws is reported through the log sink (never silently lost).
//   5. An accepted task that never runs is destroyed, never run: on the thread that calls
//      TaskQueue::discard_pending() through ~Dispatcher() (the thread destroying the dispatcher).
// Guarantees of call()/try_call()
//   1. On the main thread the function runs inline: no thread ever waits for itself.
//   2. Otherwise it is queued and the caller waits, spinning a few microseconds and then sleeping in
//      the kernel, for the value; an exception thrown by the function is rethrown to the caller as
//      the same object (std::exception_ptr).
//   3. On timeout the caller gets ThreadDispatchTimeoutError naming the task and the timeout. A task
//      that had not started is cancelled and never runs; a task already running finishes on the main
//      thread and its result is discarded.
//   4. shutdown() wakes every caller whose task has not started with ShutdownInProgressError and
//      cancels that task; a caller whose task is already running keeps waiting for its result (up to
//      its timeout). A call after shutdown() fails at once with ShutdownInProgressError.
//   5. On a full bounded queue, admission is retried ThreadSafetyConfig::max_retries times,
//      retry_delay_ms apart (within the timeout), then QueueFullError.
//   6. A caller that runs a dccview loop itself keeps running the synchronous calls addressed to its
//      own loop while it waits (dccview/wait_policy.h), so main -> WebView -> main completes.
//   7. A wait that would close a cycle of waits in which no thread serves fails at once with
//      DeadlockDetectedError (kDeadlock), naming the threads; so does a wait started while the
//      caller holds a checked lock, in throw mode (dccview/lock_order.h). Never by timing out.
//
// States: not installed -> running (install) -> shutting down (shutdown) -> drained.
// Before install, tasks are accepted and queued; they run once a loop is installed and pumps.
//
// Lifetime: hold a Dispatcher by std::shared_ptr when other threads use it; it must outlive every
// thread that posts to it. Its loop is owned by it and destroyed with it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "dccview/config.h"
#include "dccview/detail/task.h"
#include "dccview/errors.h"
#include "dccview/host_loop.h"
#include "dccview/lock_order.h"
#include "dccview/task_queue.h"

namespace dccview {

class Dispatcher;

namespace detail {
// A synchronous wait of the calling thread on `target`'s loop thread (internal; used by
// Dispatcher::call and by the WebView's synchronous evaluation). Construction checks that no lock is
// held (RFC pattern 2) and registers the wait in the wait-for graph, throwing DeadlockDetectedError
// if it would close a cycle nobody serves (pattern 3). wait() blocks until `done` is set or the
// deadline passes, running the calls addressed to the caller's own loop meanwhile when it has one.
//
// `done` is what wait() will wait for: once it is set, the graph knows this thread is leaving the
// wait. `request` is the synchronous call waited for: while it has not started, the target can run
// it from inside a serving wait of its own. Without one (a page evaluation, a drain, a screenshot)
// the wait needs the target back in its loop, so a target blocked in a serving wait does not
// resolve it.
class SyncWait {
 public:
  // `label` and `done` are kept by reference: they must outlive the SyncWait. Not thread-safe: one
  // SyncWait per waiting thread, constructed, waited on and destroyed on that thread.
  SyncWait(const Dispatcher& target, const std::string& label, const Completion& done,
           const CallTaskBase* request = nullptr);
  SyncWait(const Dispatcher&, std::string&&, const Completion&, const CallTaskBase* = nullptr) = delete;
  ~SyncWait();
  SyncWait(const SyncWait&) = delete;
  SyncWait& operator=(const SyncWait&) = delete;
  // True if `done` was set before `deadline_ns` (steady_clock ns).
  bool wait(Completion& done, std::int64_t deadline_ns);

 private:
  Dispatcher* serving_loop_ = nullptr;
  void* scope_;  // the wait-for graph registration (WaitGraph::Scope)
};
}  // namespace detail

struct PumpResult {
  std::size_t ran = 0;       // tasks finished in this pump (run or cancelled)
  bool more_pending = false;  // work was left because the budget ran out
};

class Dispatcher {
 public:
  // Feeds config.debug_lock_order to the lock-order checker (configure_lock_order). `name` names
  // the loop thread in error messages ("main-thread call 'f' timed out ..."). Thread-safe.
  explicit Dispatcher(ThreadSafetyConfig config = {}, QueueOptions queue_options = {},
                      std::string name = "main-thread");
  // Destroys every queued task without running it, on the calling thread, then the loop.
  // Not thread-safe: requires that no other thread still uses the dispatcher.
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Dispatcher::install()
  // Installs the loop; the calling thread becomes the main thread. Throws std::logic_error if a loop
  // is already installed. Returns the installed loop (owned by the dispatcher).
  // Thread-safe; the calling thread must be the one that runs the loop.
  template <class Loop, class... Args>
  Loop& install(Args&&... args) {
    auto loop = std::make_unique<Loop>(std::forward<Args>(args)...);
    Loop& ref = *loop;
    install_loop(std::move(loop));
    return ref;
  }

  // Dispatcher::is_main_thread()
  // True iff the calling thread installed this dispatcher's loop. Thread-safe.
  bool is_main_thread() const noexcept {
    return main_thread_.load(std::memory_order_acquire) == std::this_thread::get_id();
  }

  // Dispatcher::post()
  // Queues `fn` to run on the main thread; see the guarantees above. `label` (a string literal or
  // other static string) names the task in reports. Thread-safe; never runs `fn` inline; blocks
  // only under Backpressure::kBlock on a full bounded queue, up to its block_timeout, and never on
  // the main thread.
  template <class F>
  bool post(F&& fn, const char* label = nullptr) {
    using D = std::decay_t<F>;
    if constexpr (detail::kFitsInline<D>) {
      return submit(detail::InlineTask{&detail::InlineOpsFor<D>::ops, label,
                                       &detail::construct_inline<D, F>,
                                       const_cast<void*>(static_cast<const void*>(std::addressof(fn)))});
    } else {
      return submit(new detail::PostTask<D>(std::forward<F>(fn), label));
    }
  }

  // Dispatcher::post_servable()
  // Like post(), and in addition a main thread blocked in a synchronous wait on another loop runs it
  // while it waits, as it does for calls (dccview/wait_policy.h). For work whose producer must not
  // block but that a waiting main thread must not leave stuck (e.g. WebView handlers in dcc_mode).
  // It may thus run before tasks posted earlier. Thread-safe; never runs `fn` inline.
  template <class F>
  bool post_servable(F&& fn, const char* label = nullptr) {
    auto* task = new detail::ServableTask<std::decay_t<F>>(
        std::forward<F>(fn), label ? std::string(label) : detail::type_label(typeid(F)), this);
    return submit_servable(*task);
  }

  // Dispatcher::try_call()
  // Runs `fn` on the main thread and returns its value, or an Error: kTimeout, kShutdown,
  // kQueueFull, kDeadlock, or kTaskFailed with the exception `fn` threw. Never throws itself except
  // std::bad_alloc. `label` names the task in messages (default: the callable's type).
  // Thread-safe; blocks up to `timeout`; runs inline on the main thread.
  template <class F>
  auto try_call(F&& fn, std::chrono::milliseconds timeout, std::string_view label = {})
      -> Result<std::decay_t<std::invoke_result_t<std::decay_t<F>&>>> {
    using Value = std::decay_t<std::invoke_result_t<std::decay_t<F>&>>;
    if (is_main_thread()) return invoke_inline<Value>(fn);
    auto* task = new detail::CallTask<Value, std::decay_t<F>>(
        std::forward<F>(fn), label.empty() ? detail::type_label(typeid(F)) : std::string(label));
    Error error = submit_and_wait(*task, timeout);
    if (error.code != ErrorCode::kOk) {
      task->release();
      return error;
    }
    return take_and_release<Value>(*task);
  }

  // Dispatcher::try_call() with ThreadSafetyConfig::main_thread_timeout_ms.
  // Thread-safe; blocks up to the configured timeout; runs inline on the main thread.
  template <class F>
  auto try_call(F&& fn) {
    return try_call(std::forward<F>(fn), config_.main_thread_timeout());
  }

  // Dispatcher::call()
  // Like try_call() but returns the value or throws: the function's own exception, or
  // ThreadDispatchTimeoutError, ShutdownInProgressError, QueueFullError, DeadlockDetectedError.
  // Thread-safe; blocks up to `timeout`; runs inline on the main thread.
  template <class F>
  auto call(F&& fn, std::chrono::milliseconds timeout, std::string_view label = {}) {
    if (is_main_thread()) return fn();  // inline: exceptions propagate untouched
    return try_call(std::forward<F>(fn), timeout, label).value();
  }

  // Dispatcher::call() with ThreadSafetyConfig::main_thread_timeout_ms.
  // Thread-safe; blocks up to the configured timeout; runs inline on the main thread.
  template <class F>
  auto call(F&& fn) {
    return call(std::forward<F>(fn), config_.main_thread_timeout());
  }

  // Dispatcher::shutdown()
  // Stops admission, cancels every synchronous call that has not started and wakes its caller with
  // kShutdown, and wakes the loop so it can drain what was already posted. Idempotent. Thread-safe.
  void shutdown();

  // Thread-safe.
  bool is_shutdown() const noexcept { return queue_.is_shutdown(); }

  // The thread that installed the loop, or a default id before install. Thread-safe.
  std::thread::id main_thread_id() const noexcept {
    return main_thread_.load(std::memory_order_acquire);
  }

  // Dispatcher::wait_for_drain()
  // Waits until every accepted task has run, been cancelled or been destroyed. True on success.
  // Thread-safe; blocks up to `timeout`; on the main thread it pumps while it waits (it never waits
  // for work only it can do); elsewhere it is a synchronous wait like call(): a loop thread keeps
  // serving the calls addressed to it, and a wait that would close a cycle nobody serves returns
  // false at once (logged).
  bool wait_for_drain(std::chrono::milliseconds timeout);

  // Dispatcher::pump()
  // Runs queued tasks until the queue is empty or `budget` is spent. A nested call (from inside a
  // task) returns {0, has_pending} without running anything. If work remains the loop is woken
  // again. Main thread only (throws std::logic_error elsewhere).
  PumpResult pump(std::chrono::nanoseconds budget);

  // Dispatcher::discard_pending()
  // Destroys every queued task without running it (on the calling thread); callers waiting on them
  // get kShutdown. Returns how many were destroyed. Main thread only, or any thread once the loop no
  // longer pumps.
  std::size_t discard_pending() noexcept { return queue_.discard_pending(); }

  // True when tasks are waiting to run. Main thread only.
  bool has_pending() const noexcept { return queue_.has_pending(); }

  // Counters of the underlying queue. Thread-safe (approximate while tasks run).
  QueueStats stats() const noexcept { return queue_.stats(); }

  // Number of pump() calls that entered (nested ones excluded). Thread-safe. Lets tests check that an
  // idle loop sleeps instead of polling.
  std::uint64_t pump_count() const noexcept { return pumps_.load(std::memory_order_relaxed); }

  // Thread-safe (the config is immutable).
  const ThreadSafetyConfig& config() const noexcept { return config_; }
  // Thread-safe (immutable).
  const std::string& name() const noexcept { return name_; }

 private:
  void install_loop(std::unique_ptr<HostLoop> loop);
  bool submit(detail::TaskNode* task);
  bool submit(const detail::InlineTask& task);
  void check_bounded_post() const;
  Error submit_and_wait(detail::CallTaskBase& task, std::chrono::milliseconds timeout);
  bool wait_for_drain_elsewhere(std::chrono::milliseconds timeout);
  ErrorCode admit_with_retries(detail::CallTaskBase& task, std::int64_t deadline_ns);
  friend class detail::SyncWait;
  friend class detail::ServableTaskBase;
  bool submit_servable(detail::CallTaskBase& task);
  Error enqueue_and_wait(detail::CallTaskBase& task, std::chrono::milliseconds timeout,
                         std::int64_t deadline_ns, detail::SyncWait& wait);
  Error wait_for_result(detail::CallTaskBase& task, std::chrono::milliseconds timeout,
                        std::int64_t deadline_ns, detail::SyncWait& wait);
  // Serving wait (src/core/serving_wait.cc), on this dispatcher's main thread while it waits on
  // another loop: runs the calls addressed to this loop until `done` is set.
  bool serve_until_complete(detail::Completion& done, std::int64_t deadline_ns);
  void serve_incoming();
  void poke_serving_waiter();
  void register_waiter(detail::CallTaskBase& task);
  void unregister_waiter(detail::CallTaskBase& task);
  void request_wake() noexcept;

  template <class Value, class F>
  static Result<Value> invoke_inline(F& fn) {
    try {
      if constexpr (std::is_void_v<Value>) {
        fn();
        return Result<Value>();
      } else {
        return Result<Value>(fn());
      }
    } catch (...) {
      return Error{ErrorCode::kTaskFailed, "task threw", std::current_exception()};
    }
  }

  template <class Value, class Task>
  static Result<Value> take_and_release(Task& task) {
    struct Releaser {
      Task& task;
      ~Releaser() { task.release(); }
    } releaser{task};
    if constexpr (std::is_void_v<Value>) {
      return Result<Value>();
    } else {
      return Result<Value>(task.take_value());
    }
  }

  const ThreadSafetyConfig config_;
  const std::string name_;
  TaskQueue queue_;
  std::atomic<std::thread::id> main_thread_{};
  std::atomic<bool> installed_{false};
  std::atomic<HostLoop*> loop_{nullptr};  // published once the loop accepts wake()
  std::unique_ptr<HostLoop> owned_loop_;
  std::atomic<bool> wake_requested_{false};
  std::atomic<std::uint64_t> pumps_{0};
  bool pumping_ = false;  // main thread only

  // Guards the registry of callers blocked in call() and serving_completion_. A leaf: nothing else is
  // locked under it.
  CheckedMutex waiters_mutex_{"dccview.dispatcher.waiters", LockLevel::kRegistry, kLeaf};
  detail::CallTaskBase* waiters_ DCCVIEW_GUARDED_BY(waiters_mutex_) = nullptr;
  // While the main thread waits on another loop: what it waits for (poked when a call arrives).
  detail::Completion* serving_completion_ DCCVIEW_GUARDED_BY(waiters_mutex_) = nullptr;
};

}  // namespace dccview
