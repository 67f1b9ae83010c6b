// The list is Dmitry Vyukov's intrusive MPSC queue: a producer links with one exchange on head_, the
// consumer walks from tail_ without atomic read-modify-writes. Entries live in the pushing thread's
// lane (src/core/lane.h), which also counts what it accepted: admission takes no shared counter, the
// exchange is a push's only write to a line other producers write. The consumer publishes how many
// tasks it finished in its own word, and in flight = the lanes' accepted counts - finished.
#include "dccview/task_queue.h"

#include <algorithm>
#include <functional>
#include <new>
#include <thread>

#include "core/barrier.h"
#include "core/lane.h"
#include "core/wait.h"

namespace dccview {

namespace {
// A consumer that only reads and writes its own counters needs no read-modify-write instruction.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// The consumer publishes its finished count every this many tasks (and whenever it stops).
constexpr std::uint64_t kPublishBatch = 64;

std::uint64_t next_queue_id() noexcept {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

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

TaskQueue::TaskQueue(QueueOptions options)
    : id_(next_queue_id()), options_(options), head_(&stub_), tail_(&stub_) {}

TaskQueue::~TaskQueue() {
  discard_pending();
  detail::Lane* lane = lanes_.load(std::memory_order_acquire);
  while (lane != nullptr) {
    detail::Lane* next = lane->next_in_queue;
    lane->queue_gone.store(true, std::memory_order_release);
    lane->release();
    lane = next;
  }
}

ErrorCode TaskQueue::push(detail::TaskNode* node, bool may_block) noexcept {
  return push_entry(
      detail::kNodeEntry.size,
      [node](detail::LaneEntry& entry, detail::Lane& lane) noexcept {
        entry.node = node;
        if (node->enqueued_ns == 0) node->enqueued_ns = lane.sample_time();  // calls carry theirs
        return &detail::kNodeEntry;
      },
      may_block);
}

ErrorCode TaskQueue::push(const detail::InlineTask& task, bool may_block) {
  return push_entry(
      task.ops->size,
      [&task](detail::LaneEntry& entry, detail::Lane& lane) {
        task.construct(entry.closure(), task.source);
        entry.label = task.label;
        entry.enqueued_ns = lane.sample_time();
        return task.ops;
      },
      may_block);
}

inline detail::Lane* TaskQueue::lane_of_this_thread(bool& cached) noexcept {
  if (detail::Lane* lane = detail::cached_lane(id_)) return lane;
  return new_lane_for_this_thread(cached);
}

// `write(entry, lane)` fills the entry in the lane's memory and returns its ops; it may throw (a
// closure's constructor), and then nothing is queued.
template <class Write>
ErrorCode TaskQueue::push_entry(std::uint32_t size, Write&& write, bool may_block) {
  const bool bounded = options_.capacity != 0;
  if (bounded) {
    const ErrorCode reserved = reserve_capacity(may_block);
    if (reserved != ErrorCode::kOk) return refuse(reserved, false);
  }
  if (shut_.load(std::memory_order_relaxed)) return refuse(ErrorCode::kShutdown, bounded);
  bool cached = true;
  detail::Lane* lane = lane_of_this_thread(cached);
  bool starts_block = false;
  detail::LaneEntry* entry = lane != nullptr ? lane->reserve(size, starts_block) : nullptr;
  ErrorCode code = ErrorCode::kQueueFull;  // out of memory
  if (entry != nullptr) {
    ::new (entry) detail::LaneEntry();
    try {
      entry->set_ops(write(*entry, *lane), starts_block);
    } catch (...) {
      if (!cached) {
        lane->disown();
        lane->release();
      }
      refuse(ErrorCode::kQueueFull, bounded);
      throw;
    }
    if (lane->admit()) {
      link(entry);
      lane->end_push(size);
      code = ErrorCode::kOk;
    } else {
      if (!entry->is_node()) entry->ops()->destroy(entry->closure());
      code = ErrorCode::kShutdown;
    }
  }
  if (!cached && lane != nullptr) {  // a thread past its lane cache's destruction
    lane->disown();
    lane->release();
  }
  return code == ErrorCode::kOk ? code : refuse(code, bounded);
}

ErrorCode TaskQueue::refuse(ErrorCode code, bool reserved) noexcept {
  if (reserved) reserved_.fetch_sub(1, std::memory_order_seq_cst);
  rejected_.fetch_add(1, std::memory_order_relaxed);
  return code;
}

detail::Lane* TaskQueue::new_lane_for_this_thread(bool& cached) noexcept {
  detail::Lane* lane = adopt_or_create_lane();
  if (lane != nullptr) cached = detail::cache_lane(lane);
  return lane;
}

// A lane whose thread exited is reused before a new one is made; either way the caller gets it
// owned and with a reference of its own.
detail::Lane* TaskQueue::adopt_or_create_lane() noexcept {
  CheckedLock lock(lanes_mutex_);
  for (detail::Lane* lane = lanes_.load(std::memory_order_acquire); lane != nullptr;
       lane = lane->next_in_queue) {
    if (lane->try_adopt()) return lane;
  }
  detail::Lane* lane = nullptr;
  try {
    lane = new detail::Lane(id_, shut_);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
  lane->try_adopt();
  lane->next_in_queue = lanes_.load(std::memory_order_relaxed);
  lanes_.store(lane, std::memory_order_release);
  return lane;
}

// Bounded queues: the admission against the capacity is one atomic step on reserved_. finished_ is
// read first, so the difference can only overestimate what is in flight: the bound is never exceeded.
ErrorCode TaskQueue::reserve_capacity(bool may_block) noexcept {
  for (;;) {
    if (is_shutdown()) return ErrorCode::kShutdown;
    const std::uint64_t finished = finished_.load(std::memory_order_seq_cst);
    std::uint64_t current = reserved_.load(std::memory_order_seq_cst);
    while (current - finished < options_.capacity) {
      if (reserved_.compare_exchange_weak(current, current + 1, std::memory_order_seq_cst)) {
        return ErrorCode::kOk;
      }
    }
    if (options_.policy == Backpressure::kReject || !may_block) return ErrorCode::kQueueFull;
    const ErrorCode waited = wait_for_space();
    if (waited != ErrorCode::kOk) return waited;
  }
}

ErrorCode TaskQueue::wait_for_space() noexcept {
  const auto deadline = std::chrono::steady_clock::now() + options_.block_timeout;
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  ErrorCode result = ErrorCode::kOk;
  {
    std::unique_lock<CheckedMutex> lock(sleep_mutex_);
    const bool woke = sleep_cv_.wait_until(lock, deadline, [&] {
      return is_shutdown() || reserved_.load(std::memory_order_seq_cst) -
                                      finished_.load(std::memory_order_seq_cst) <
                                  options_.capacity;
    });
    if (!woke) result = ErrorCode::kQueueFull;
  }
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
  return result;  // kOk: retry admission (shutdown is seen there)
}

std::uint64_t TaskQueue::accepted() const noexcept {
  std::uint64_t total = 0;
  for (const detail::Lane* lane = lanes_.load(std::memory_order_acquire); lane != nullptr;
       lane = lane->next_in_queue) {
    total += lane->accepted();
  }
  return total;
}

// Reads finished_ and then the lanes: the count can only overestimate (tasks accepted after the read
// of finished_ are counted, none finished after it is), so "zero in flight" is never claimed early.
std::uint64_t TaskQueue::in_flight() const noexcept {
  const std::uint64_t finished = finished_.load(std::memory_order_seq_cst);
  const std::uint64_t total = accepted();
  return total > finished ? total - finished : 0;
}

void TaskQueue::link(detail::LaneEntry* entry) noexcept {
  entry->next.store(nullptr, std::memory_order_relaxed);
  detail::LaneEntry* previous = head_.exchange(entry, std::memory_order_seq_cst);
  previous->next.store(entry, std::memory_order_release);
}

// Returns the oldest entry, or nullptr when the queue is empty or a producer is between its exchange
// and its link (has_pending() then stays true and the caller retries).
detail::LaneEntry* TaskQueue::pop() noexcept {
  detail::LaneEntry* tail = tail_;
  detail::LaneEntry* next = tail->next.load(std::memory_order_acquire);
  if (tail == &stub_) {
    if (next == nullptr) return nullptr;
    tail_ = next;
    tail = next;
    next = next->next.load(std::memory_order_acquire);
  }
  if (next != nullptr) {
    __builtin_prefetch(next);  // the next entry was written by another core
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

// A thread's entries run in the order it pushed them: when one that starts a block is popped,
// every entry of the thread's previous block was popped before it.
void TaskQueue::retire_block_before(detail::LaneEntry& entry) noexcept {
  if (!entry.starts_block()) return;
  detail::LaneBlock* block = detail::LaneBlock::started_by(&entry);
  if (block->previous == nullptr) return;
  detail::LaneBlock* done = std::exchange(block->previous, nullptr);
  done->previous = retired_;
  retired_ = done;
}

// Retired blocks go back to their lanes only when no task of this queue is running: a task may
// itself pop entries (discard_pending), and it runs from a block of its own.
void TaskQueue::release_retired() noexcept {
  while (retired_ != nullptr) {
    detail::LaneBlock* block = std::exchange(retired_, retired_->previous);
    block->lane->recycle(block);
  }
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
bool TaskQueue::finish(detail::LaneEntry& entry) noexcept {
  retire_block_before(entry);
  if (!entry.is_node()) {
    if (entry.enqueued_ns != 0) record_latency(entry.enqueued_ns);
    if (!entry.ops()->run(entry.closure(), entry.label)) bump(failed_);
    bump(run_);
    return true;
  }
  detail::TaskNode* node = entry.node;
  if (node->enqueued_ns != 0) record_latency(node->enqueued_ns);
  const detail::Start start = node->try_start();
  switch (start) {
    case detail::Start::kRun:
      if (!node->run()) bump(failed_);
      bump(run_);
      return true;
    case detail::Start::kCancelled:
    case detail::Start::kServedElsewhere:
      return settle_not_run(node, start);
  }
  return false;
}

// A cancelled node is answered and counted now; one served elsewhere was counted when it was served.
// True when the entry counts as finished here.
bool TaskQueue::settle_not_run(detail::TaskNode* node, detail::Start start) noexcept {
  if (start == detail::Start::kCancelled) {
    node->discard(detail::Fate::kCancelled);
    bump(cancelled_);
    return true;
  }
  node->discard(detail::Fate::kServedElsewhere);
  return false;
}

// The teardown counterpart of finish(): true when the entry counts as finished now; `destroyed`
// counts the tasks that would have run.
bool TaskQueue::destroy(detail::LaneEntry& entry, std::size_t& destroyed) noexcept {
  retire_block_before(entry);
  if (!entry.is_node()) {
    entry.ops()->destroy(entry.closure());
    bump(destroyed_);
    ++destroyed;
    return true;
  }
  detail::TaskNode* node = entry.node;
  const detail::Start start = node->try_start();
  switch (start) {
    case detail::Start::kRun:
      node->discard(detail::Fate::kDestroyed);
      bump(destroyed_);
      ++destroyed;
      return true;
    case detail::Start::kCancelled:
    case detail::Start::kServedElsewhere:
      return settle_not_run(node, start);
  }
  return false;
}

std::size_t TaskQueue::run_until(std::chrono::steady_clock::time_point deadline) {
  std::size_t finished = 0;
  std::uint64_t unpublished = 0;
  DeadlineCheck check(deadline);
  const bool outermost = !running_task_;
  for (;;) {
    detail::LaneEntry* entry = pop();
    if (entry == nullptr) {
      if (!has_pending() || check.passed_now()) break;
      std::this_thread::yield();  // a producer is mid-link; it completes within its time slice
      continue;
    }
    running_task_ = true;
    const bool done = finish(*entry);
    running_task_ = !outermost;
    if (done) {
      ++finished;
      if (++unpublished == kPublishBatch) publish_finished(std::exchange(unpublished, 0));
    }
    if (check.passed_after_task()) break;
  }
  publish_finished(unpublished);
  if (outermost) release_retired();
  return finished;
}

std::size_t TaskQueue::discard_pending() noexcept {
  std::size_t destroyed = 0;
  std::uint64_t released = 0;
  for (;;) {
    detail::LaneEntry* entry = pop();
    if (entry == nullptr) {
      if (!has_pending()) break;
      std::this_thread::yield();
      continue;
    }
    if (destroy(*entry, destroyed)) ++released;
  }
  publish_finished(released);
  if (!running_task_) release_retired();
  return destroyed;
}

void TaskQueue::note_served(bool ok) noexcept {
  if (!ok) bump(failed_);
  bump(run_);
  publish_finished(1);
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

// The shutdown side of the admission handshake (src/core/lane.h): after the flag and the barrier, a
// push either saw the flag or is waited for here, so none is accepted once this returns.
void TaskQueue::shutdown() noexcept {
  shut_.store(true, std::memory_order_seq_cst);
  detail::heavy_barrier();
  for (detail::Lane* lane = lanes_.load(std::memory_order_acquire); lane != nullptr;
       lane = lane->next_in_queue) {
    lane->wait_until_no_push();
  }
  { CheckedLock lock(sleep_mutex_); }
  sleep_cv_.notify_all();  // blocked producers fail with kShutdown
}

bool TaskQueue::is_shutdown() const noexcept {
  return shut_.load(std::memory_order_acquire);
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
  s.accepted = accepted();
  for (const detail::Lane* lane = lanes_.load(std::memory_order_acquire); lane != nullptr;
       lane = lane->next_in_queue) {
    ++s.lanes;
  }
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
