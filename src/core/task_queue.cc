// The list is Dmitry Vyukov's intrusive MPSC queue: a producer links with one exchange on head_, the
// consumer walks from tail_ without atomic read-modify-writes. The admission word state_ holds the
// shutdown bit and the number of tasks ever accepted, so admission is one atomic operation; the
// consumer publishes how many tasks it finished in its own word, and in flight = accepted - finished.
// Producers and the consumer thus never write the same cache line per task.
#include "dccview/task_queue.h"

#include <algorithm>
#include <functional>
#include <thread>

#include "core/wait.h"

namespace dccview {

namespace {
// A consumer that only reads and writes its own counters needs no read-modify-write instruction.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Every 16th post of each thread carries a timestamp (a clock read costs about as much as a post).
bool sample_latency() noexcept {
  thread_local std::uint32_t n = 0;
  return (++n & 15u) == 0;
}

// The consumer publishes its finished count every this many tasks (and whenever it stops).
constexpr std::uint64_t kPublishBatch = 64;

// Reading the clock after every task costs as much as a small task. While tasks are short the
// interval between reads doubles (up to 64 tasks); a slow stretch resets it to every task. A pump
// thus overshoots its budget by at most one slow task, or by 64 tasks that each took under ~1 us.
class DeadlineCheck {
 public:
  explicit DeadlineCheck(std::chrono::steady_clock::time_point deadline)
      : deadline_(deadline), unbounded_(deadline == std::chrono::steady_clock::time_point::max()),
        last_(unbounded_ ? deadline : std::chrono::steady_clock::now()) {}

  bool passed_now() const { return std::chrono::steady_clock::now() >= deadline_; }

  bool passed_after_task() {
    if (unbounded_ || ++tasks_ < interval_) return false;
    const auto now = std::chrono::steady_clock::now();
    const bool fast = now - last_ < std::chrono::microseconds(1) * tasks_;
    interval_ = fast ? std::min<std::uint32_t>(interval_ * 2, 64) : 1;
    tasks_ = 0;
    last_ = now;
    return now >= deadline_;
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  bool unbounded_;
  std::chrono::steady_clock::time_point last_;
  std::uint32_t interval_ = 1;
  std::uint32_t tasks_ = 0;
};
}  // namespace


TaskQueue::TaskQueue(QueueOptions options) : head_(&stub_), tail_(&stub_), options_(options) {}

TaskQueue::~TaskQueue() { discard_pending(); }

ErrorCode TaskQueue::push(detail::TaskNode* node, bool may_block) noexcept {
  const ErrorCode admitted = admit(may_block);
  if (admitted != ErrorCode::kOk) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return admitted;
  }
  if (sample_latency()) node->enqueued_ns = detail::now_ns();
  link(node);
  return ErrorCode::kOk;
}

// Reads finished_ and then state_: the count can only overestimate (tasks accepted after the read of
// finished_ are counted, none finished after it is), so "zero in flight" is never claimed early and
// a bound is never exceeded.
std::uint64_t TaskQueue::in_flight() const noexcept {
  const std::uint64_t finished = finished_.load(std::memory_order_seq_cst);
  const std::uint64_t accepted = state_.load(std::memory_order_seq_cst) & kCountMask;
  return accepted > finished ? accepted - finished : 0;
}

ErrorCode TaskQueue::admit(bool may_block) noexcept {
  if (options_.capacity == 0) {
    const std::uint64_t previous = state_.fetch_add(1, std::memory_order_seq_cst);
    if (previous & kShutdownBit) {
      state_.fetch_sub(1, std::memory_order_seq_cst);  // undo: never accepted
      notify_sleepers();  // a drain waiter may have seen the transient count
      return ErrorCode::kShutdown;
    }
    return ErrorCode::kOk;
  }
  std::uint64_t finished = finished_.load(std::memory_order_seq_cst);
  std::uint64_t current = state_.load(std::memory_order_seq_cst);
  for (;;) {
    if (current & kShutdownBit) return ErrorCode::kShutdown;
    // finished was read before current: the difference can only overestimate what is in flight.
    if ((current & kCountMask) - finished < options_.capacity) {
      if (state_.compare_exchange_weak(current, current + 1, std::memory_order_seq_cst)) {
        return ErrorCode::kOk;
      }
      continue;
    }
    if (options_.policy == Backpressure::kReject || !may_block) return ErrorCode::kQueueFull;
    const ErrorCode waited = wait_for_space();
    if (waited != ErrorCode::kOk) return waited;
    finished = finished_.load(std::memory_order_seq_cst);
    current = state_.load(std::memory_order_seq_cst);
  }
}

ErrorCode TaskQueue::wait_for_space() noexcept {
  const auto deadline = std::chrono::steady_clock::now() + options_.block_timeout;
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  ErrorCode result = ErrorCode::kOk;
  {
    std::unique_lock<CheckedMutex> lock(sleep_mutex_);
    const bool woke = sleep_cv_.wait_until(lock, deadline, [&] {
      return is_shutdown() || in_flight() < options_.capacity;
    });
    if (!woke) result = ErrorCode::kQueueFull;
  }
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
  return result;  // kOk: retry admission (shutdown is seen there)
}

void TaskQueue::link(detail::TaskNode* node) noexcept {
  node->next.store(nullptr, std::memory_order_relaxed);
  detail::TaskNode* previous = head_.exchange(node, std::memory_order_seq_cst);
  previous->next.store(node, std::memory_order_release);
}

// Returns the oldest node, or nullptr when the queue is empty or a producer is between its exchange
// and its link (has_pending() then stays true and the caller retries).
detail::TaskNode* TaskQueue::pop() noexcept {
  detail::TaskNode* tail = tail_;
  detail::TaskNode* next = tail->next.load(std::memory_order_acquire);
  if (tail == &stub_) {
    if (next == nullptr) return nullptr;
    tail_ = next;
    tail = next;
    next = next->next.load(std::memory_order_acquire);
  }
  if (next != nullptr) {
    __builtin_prefetch(next);  // the next task's node was written by another core
    tail_ = next;
    return tail;
  }
  if (tail != head_.load(std::memory_order_seq_cst)) return nullptr;
  link(&stub_);
  next = tail->next.load(std::memory_order_acquire);
  if (next == nullptr) return nullptr;
  tail_ = next;
  return tail;
}

bool TaskQueue::has_pending() const noexcept {
  return tail_ != &stub_ || stub_.next.load(std::memory_order_seq_cst) != nullptr ||
         head_.load(std::memory_order_seq_cst) != &stub_;
}

void TaskQueue::record_latency(std::int64_t enqueued_ns) noexcept {
  const auto waited = static_cast<std::uint64_t>(std::max<std::int64_t>(
      detail::now_ns() - enqueued_ns, 0));
  bump(latency_samples_);
  bump(latency_total_ns_, waited);
  if (waited > latency_max_ns_.load(std::memory_order_relaxed)) {
    latency_max_ns_.store(waited, std::memory_order_relaxed);
  }
}

bool TaskQueue::finish(detail::TaskNode* node) noexcept {
  if (node->enqueued_ns != 0) record_latency(node->enqueued_ns);
  switch (node->try_start()) {
    case detail::Start::kRun:
      if (!node->run()) bump(failed_);
      bump(run_);
      return true;
    case detail::Start::kCancelled:
      node->discard(detail::Fate::kCancelled);
      bump(cancelled_);
      return true;
    case detail::Start::kServedElsewhere:
      node->discard(detail::Fate::kServedElsewhere);  // counted when it was served
      return false;
  }
  return false;
}

void TaskQueue::note_served(bool ok) noexcept {
  if (!ok) bump(failed_);
  bump(run_);
  publish_finished(1);
}

std::size_t TaskQueue::run_until(std::chrono::steady_clock::time_point deadline) {
  std::size_t finished = 0;
  std::uint64_t unpublished = 0;
  DeadlineCheck check(deadline);
  for (;;) {
    detail::TaskNode* node = pop();
    if (node == nullptr) {
      if (!has_pending() || check.passed_now()) break;
      std::this_thread::yield();  // a producer is mid-link; it completes within its time slice
      continue;
    }
    if (finish(node)) {
      ++finished;
      if (++unpublished == kPublishBatch) publish_finished(std::exchange(unpublished, 0));
    }
    if (check.passed_after_task()) break;
  }
  publish_finished(unpublished);
  detail::flush_freed_nodes();
  return finished;
}

std::size_t TaskQueue::discard_pending() noexcept {
  std::size_t destroyed = 0;
  std::uint64_t released = 0;
  for (;;) {
    detail::TaskNode* node = pop();
    if (node == nullptr) {
      if (!has_pending()) break;
      std::this_thread::yield();
      continue;
    }
    switch (node->try_start()) {
      case detail::Start::kRun:
        node->discard(detail::Fate::kDestroyed);
        bump(destroyed_);
        ++destroyed;
        ++released;
        break;
      case detail::Start::kCancelled:
        node->discard(detail::Fate::kCancelled);
        bump(cancelled_);
        ++released;
        break;
      case detail::Start::kServedElsewhere:
        node->discard(detail::Fate::kServedElsewhere);
        break;
    }
  }
  publish_finished(released);
  detail::flush_freed_nodes();
  return destroyed;
}

// Also samples the depth: the consumer sees the backlog when it publishes, so producers pay nothing.
void TaskQueue::publish_finished(std::uint64_t n) noexcept {
  const std::uint64_t depth = in_flight();
  if (depth > max_depth_.load(std::memory_order_relaxed)) {
    max_depth_.store(depth, std::memory_order_relaxed);  // single writer: the consumer
  }
  if (n == 0) return;
  finished_.store(finished_.load(std::memory_order_relaxed) + n, std::memory_order_seq_cst);
  notify_sleepers();
}

void TaskQueue::notify_sleepers() noexcept {
  if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
  {
    CheckedLock lock(sleep_mutex_);
    if (!drain_waiters_.empty() && in_flight() == 0) {
      for (detail::Completion* drained : drain_waiters_) drained->set();
      sleepers_.fetch_sub(static_cast<std::uint32_t>(drain_waiters_.size()), std::memory_order_relaxed);
      drain_waiters_.clear();
    }
  }
  sleep_cv_.notify_all();
}

void TaskQueue::notify_when_drained(detail::Completion& drained) {
  CheckedLock lock(sleep_mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);  // before the check: a finish after it notifies
  if (in_flight() == 0) {
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    drained.set();
    return;
  }
  drain_waiters_.push_back(&drained);
}

void TaskQueue::forget_drain_waiter(detail::Completion& drained) noexcept {
  CheckedLock lock(sleep_mutex_);
  auto it = std::find(drain_waiters_.begin(), drain_waiters_.end(), &drained);
  if (it == drain_waiters_.end()) return;  // already set
  drain_waiters_.erase(it);
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

void TaskQueue::shutdown() noexcept {
  state_.fetch_or(kShutdownBit, std::memory_order_seq_cst);
  { CheckedLock lock(sleep_mutex_); }
  sleep_cv_.notify_all();  // blocked producers fail with kShutdown
}

bool TaskQueue::is_shutdown() const noexcept {
  return (state_.load(std::memory_order_acquire) & kShutdownBit) != 0;
}

bool TaskQueue::wait_for_drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  bool drained = false;
  {
    std::unique_lock<CheckedMutex> lock(sleep_mutex_);
    drained = sleep_cv_.wait_until(lock, deadline, [&] {
      return in_flight() == 0;
    });
  }
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
  return drained;
}

QueueStats TaskQueue::stats() const noexcept {
  QueueStats s;
  s.accepted = state_.load(std::memory_order_acquire) & kCountMask;
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.run = run_.load(std::memory_order_relaxed);
  s.cancelled = cancelled_.load(std::memory_order_relaxed);
  s.destroyed = destroyed_.load(std::memory_order_relaxed);
  s.failed = failed_.load(std::memory_order_relaxed);
  s.in_flight = in_flight();
  s.max_depth = max_depth_.load(std::memory_order_relaxed);
  s.latency_samples = latency_samples_.load(std::memory_order_relaxed);
  const auto total = latency_total_ns_.load(std::memory_order_relaxed);
  s.latency_mean_us = s.latency_samples ? static_cast<double>(total) / s.latency_samples / 1e3 : 0;
  s.latency_max_us = static_cast<double>(latency_max_ns_.load(std::memory_order_relaxed)) / 1e3;
  return s;
}

}  // namespace dccview
