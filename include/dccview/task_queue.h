// dccview/task_queue.h: the multi-producer, single-consumer task queue with shutdown accounting.
//
// Offers
//   QueueOptions   optional bound (backpressure) and what a full queue does: reject, or block.
//   QueueStats     counters: accepted, rejected, run, cancelled, destroyed, failed, depth, latency.
//   TaskQueue      push() from any thread; run_until()/discard_pending() on the consumer thread;
//                  shutdown(), wait_for_drain() from any thread.
//
// Guarantees
//   1. Admission and in-flight accounting are one atomic step: a push either is accepted and counted
//      in flight, or is rejected and will never run. There is no window in which a task is accepted
//      after shutdown() returned.
//   2. Tasks run in the order they were pushed: by one thread, in its order; by several, a push that
//      happens before another (a thread pushes, then signals a thread that pushes) runs before it.
//   3. Every accepted task ends exactly once: run, cancelled (a synchronous call that timed out or was
//      woken by shutdown before it started) or destroyed (never run because the queue was torn down).
//      Invariant: accepted == run + cancelled + destroyed once the queue is drained.
//   4. A task still queued when the queue is torn down (discard_pending() or the destructor) is
//      destroyed on the thread doing the teardown, never run.
//   5. A task that throws is reported through the log sink and counted in `failed`; the queue goes on.
//   6. Tasks run with no dccview lock held.
// Not guaranteed: an order between concurrent pushes of different threads; that a task accepted
// before shutdown() runs (it runs only if the consumer keeps pumping until drained; otherwise it is
// destroyed).
//
// Thread-safety: push, shutdown, is_shutdown, wait_for_drain, stats are thread-safe.
// run_until, has_pending and discard_pending are for the single consumer thread only.
// Memory ordering: everything a producer did before push() happens-before the task runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "dccview/detail/task.h"
#include "dccview/errors.h"
#include "dccview/lock_order.h"

namespace dccview {

namespace detail {
class Lane;
struct LaneBlock;
}  // namespace detail

enum class Backpressure : std::uint8_t {
  kReject,  // a push into a full queue fails at once with kQueueFull
  kBlock,   // a push into a full queue waits up to QueueOptions::block_timeout for space
};

struct QueueOptions {
  // Maximum number of tasks in flight (accepted, not yet finished); 0 means unbounded.
  std::size_t capacity = 0;
  Backpressure policy = Backpressure::kReject;
  std::chrono::milliseconds block_timeout{1000};
};

struct QueueStats {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;   // refused: shutdown or full
  std::uint64_t run = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t destroyed = 0;
  std::uint64_t failed = 0;     // ran and threw (also counted in `run`)
  std::uint64_t in_flight = 0;  // accepted and not yet finished (approximate while running)
  std::uint64_t lanes = 0;      // producer lanes: at most the peak number of live threads that pushed
  std::uint64_t max_depth = 0;  // highest in_flight seen by the consumer (sampled every 64 tasks
                                // and whenever it stops)
  // Queueing latency (admission -> start), sampled: every synchronous call and every 64th push of
  // each thread.
  std::uint64_t latency_samples = 0;
  double latency_mean_us = 0;
  double latency_max_us = 0;
};

class TaskQueue {
 public:
  // Thread-safe.
  explicit TaskQueue(QueueOptions options = {});
  // Destroys (never runs) every task still queued, on the calling thread. Not thread-safe: requires
  // that no thread pushes concurrently (hold the queue by shared ownership).
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Offers `node`. kOk: the queue owns it. kShutdown or kQueueFull (also when out of memory): the
  // caller still owns it. `may_block` false turns the kBlock policy into kReject for this push (a
  // consumer must never wait for space only it can make).
  // Thread-safe; with kBlock and may_block, blocks up to options.block_timeout.
  ErrorCode push(detail::TaskNode* node, bool may_block = true) noexcept;
  // Offers a fire-and-forget closure, built in place in the calling thread's lane (no allocation
  // per task). Results as above; a refused closure was never built or is destroyed before this
  // returns, on the calling thread. Throws what the closure's constructor throws (nothing queued).
  // Thread-safe; blocks as above.
  ErrorCode push(const detail::InlineTask& task, bool may_block = true);

  // Runs queued tasks until the queue is empty or `deadline` passed (checked between tasks).
  // Returns the number of tasks finished (run or cancelled). Consumer thread only.
  std::size_t run_until(std::chrono::steady_clock::time_point deadline);

  // True when at least one task is queued (possibly still being linked in). Consumer thread only.
  bool has_pending() const noexcept;

  // Stops admission: every later push returns kShutdown. Idempotent. Thread-safe.
  void shutdown() noexcept;
  // Thread-safe.
  bool is_shutdown() const noexcept;

  // Waits until no task is in flight. True if that happened before `timeout`.
  // Thread-safe; blocks up to `timeout`.
  bool wait_for_drain(std::chrono::milliseconds timeout);
  // Sets `drained` once every accepted task has finished (at once if none is in flight), for
  // waiters that wait on a Completion (Dispatcher::wait_for_drain serves its own loop meanwhile).
  // Call forget_drain_waiter() before `drained` goes away unless it was set. Thread-safe.
  void notify_when_drained(detail::Completion& drained);
  // Thread-safe.
  void forget_drain_waiter(detail::Completion& drained) noexcept;

  // Destroys every queued task without running it (cancelled ones count as cancelled).
  // Returns how many were destroyed. Consumer thread only, or any thread once no consumer runs.
  std::size_t discard_pending() noexcept;

  // Thread-safe (immutable).
  const QueueOptions& options() const noexcept { return options_; }

  // Counts a synchronous call that a waiting consumer ran outside the queue (it stays linked until
  // popped, then is not counted again). Consumer thread only.
  void note_served(bool ok) noexcept;

  // Thread-safe; counters are read one by one, so a snapshot taken under load is approximate.
  QueueStats stats() const noexcept;

 private:
  struct Progress;
  template <class Write>
  ErrorCode push_entry(std::uint32_t size, Write&& write, bool may_block) noexcept(false);
  ErrorCode refuse(ErrorCode code, bool reserved) noexcept;
  ErrorCode reserve_capacity(bool may_block) noexcept;
  ErrorCode wait_for_space() noexcept;
  detail::Lane* lane_of_this_thread(bool& cached) noexcept;
  detail::Lane* new_lane_for_this_thread(bool& cached) noexcept;
  detail::Lane* adopt_or_create_lane() noexcept;
  void link(detail::LaneEntry* entry) noexcept;
  detail::LaneEntry* pop() noexcept;
  // Runs a popped entry (or discards a cancelled call); true when it counts as finished now.
  bool finish(detail::LaneEntry& entry) noexcept;
  // Destroys a popped entry without running it; true when it counts as finished now.
  bool destroy(detail::LaneEntry& entry, std::size_t& destroyed) noexcept;
  // What finish() and destroy() share for a node that will not run here. Consumer thread.
  bool settle_not_run(detail::TaskNode* node, detail::Start start) noexcept;
  // Consumer: a popped entry that starts its lane's block ends the previous block.
  void retire_block_before(detail::LaneEntry& entry) noexcept;
  void release_retired() noexcept;
  std::uint64_t accepted() const noexcept;
  std::uint64_t in_flight() const noexcept;
  void publish_finished(std::uint64_t n) noexcept;
  void notify_sleepers() noexcept;
  void record_latency(std::int64_t enqueued_ns) noexcept;

  const std::uint64_t id_;  // names this queue in the per-thread lane caches
  const QueueOptions options_;
  std::atomic<bool> shut_{false};
  // Every lane this queue ever had (newest first, append-only; see src/core/lane.h).
  std::atomic<detail::Lane*> lanes_{nullptr};
  // Producer side (hot): the list head every push exchanges.
  alignas(64) std::atomic<detail::LaneEntry*> head_;
  // Bounded queues only: tasks admitted against the capacity (finished ones are subtracted).
  alignas(64) std::atomic<std::uint64_t> reserved_{0};
  // Consumer side. finished_ counts tasks run, cancelled or destroyed (published in batches).
  alignas(64) std::atomic<std::uint64_t> finished_{0};
  detail::LaneEntry* tail_;
  detail::LaneEntry stub_;
  detail::LaneBlock* retired_ = nullptr;  // finished blocks, returned once no task of ours runs
  bool running_task_ = false;            // a task of this queue is running (re-entrant discard)
  // Written by the consumer only (plain load + store), read from any thread.
  std::atomic<std::uint64_t> run_{0}, cancelled_{0}, destroyed_{0}, failed_{0};
  std::atomic<std::uint64_t> latency_samples_{0}, latency_total_ns_{0}, latency_max_ns_{0};

  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> max_depth_{0};

  // Lane creation and adoption.
  CheckedMutex lanes_mutex_{"dccview.task_queue.lanes", LockLevel::kState, kLeaf};

  // Slow paths: drain waiters and blocked producers.
  std::atomic<std::uint32_t> sleepers_{0};
  CheckedMutex sleep_mutex_{"dccview.task_queue.sleepers", LockLevel::kState, kLeaf};
  std::condition_variable_any sleep_cv_;
  std::vector<detail::Completion*> drain_waiters_ DCCVIEW_GUARDED_BY(sleep_mutex_);
};

}  // namespace dccview
