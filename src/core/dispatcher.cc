#include "dccview/dispatcher.h"

#include <optional>
#include <stdexcept>
#include <thread>

#include "core/wait.h"
#include "core/wait_graph.h"
#include "dccview/log.h"

namespace dccview {

namespace {
std::string describe_timeout(const std::string& target, const detail::CallTaskBase& task,
                             std::chrono::milliseconds timeout, bool cancelled) {
  std::string message = target + " call '" + task.describe() + "' timed out after " +
                        std::to_string(timeout.count()) + " ms; ";
  message += cancelled ? "it had not started and was cancelled (it will never run)"
                       : "it was still running; it will finish and its result will be discarded";
  return message;
}

Error shutdown_error(const std::string& target, const detail::CallTaskBase& task) {
  return Error{ErrorCode::kShutdown,
               target + " call '" + task.describe() + "' refused: the dispatcher is shutting down", nullptr};
}
}  // namespace

Dispatcher::Dispatcher(ThreadSafetyConfig config, QueueOptions queue_options, std::string name)
    : config_(config), name_(std::move(name)), queue_(queue_options) {
  configure_lock_order(config_);
}

Dispatcher::~Dispatcher() {
  detail::WaitGraph::unregister_loop(this);
  queue_.shutdown();
  queue_.discard_pending();
  owned_loop_.reset();
}

void Dispatcher::install_loop(std::unique_ptr<HostLoop> loop) {
  if (installed_.exchange(true, std::memory_order_acq_rel)) {
    throw std::logic_error("dccview: Dispatcher::install called twice; a dispatcher has one loop");
  }
  loop->dispatcher_ = this;
  owned_loop_ = std::move(loop);
  main_thread_.store(std::this_thread::get_id(), std::memory_order_release);
  detail::WaitGraph::register_loop(this);
  owned_loop_->on_install();
  // Published only once the loop can take wake() calls. Posts that arrived before could not wake
  // anyone, so wake it now.
  loop_.store(owned_loop_.get(), std::memory_order_seq_cst);
  wake_requested_.store(false, std::memory_order_seq_cst);
  request_wake();
}

void Dispatcher::request_wake() noexcept {
  if (wake_requested_.load(std::memory_order_seq_cst)) return;
  if (wake_requested_.exchange(true, std::memory_order_seq_cst)) return;
  if (HostLoop* loop = loop_.load(std::memory_order_acquire)) loop->wake();
}

bool Dispatcher::submit(detail::TaskNode* task) {
  check_bounded_post();
  if (queue_.push(task, /*may_block=*/!is_main_thread()) != ErrorCode::kOk) {
    task->discard(detail::Fate::kDestroyed);
    return false;
  }
  request_wake();
  return true;
}

bool Dispatcher::submit(const detail::InlineTask& task) {
  check_bounded_post();
  if (queue_.push(task, /*may_block=*/!is_main_thread()) != ErrorCode::kOk) return false;
  request_wake();
  return true;
}

void Dispatcher::check_bounded_post() const {
  const QueueOptions& options = queue_.options();
  if (options.capacity != 0 && options.policy == Backpressure::kBlock && !is_main_thread()) {
    assert_no_lock_held("Dispatcher::post into a bounded queue that may block");
  }
}

void Dispatcher::register_waiter(detail::CallTaskBase& task) {
  CheckedLock lock(waiters_mutex_);
  task.registry_next = waiters_;
  if (waiters_ != nullptr) waiters_->registry_prev = &task;
  waiters_ = &task;
}

void Dispatcher::unregister_waiter(detail::CallTaskBase& task) {
  CheckedLock lock(waiters_mutex_);
  if (task.registry_prev != nullptr) {
    task.registry_prev->registry_next = task.registry_next;
  } else {
    waiters_ = task.registry_next;
  }
  if (task.registry_next != nullptr) task.registry_next->registry_prev = task.registry_prev;
  task.registry_prev = task.registry_next = nullptr;
}

ErrorCode Dispatcher::admit_with_retries(detail::CallTaskBase& task, std::int64_t deadline_ns) {
  task.enqueued_ns = detail::now_ns();
  ErrorCode code = queue_.push(&task);
  for (std::uint32_t attempt = 0; code == ErrorCode::kQueueFull && attempt < config_.max_retries;
       ++attempt) {
    const auto delay_ns = std::chrono::nanoseconds(config_.retry_delay()).count();
    if (detail::now_ns() + delay_ns >= deadline_ns) break;
    std::this_thread::sleep_for(config_.retry_delay());
    code = queue_.push(&task);
  }
  return code;
}

Error Dispatcher::submit_and_wait(detail::CallTaskBase& task, std::chrono::milliseconds timeout) {
  const std::int64_t deadline_ns =
      detail::deadline_after_ns(std::chrono::nanoseconds(timeout).count());
  std::optional<detail::SyncWait> wait;
  try {
    wait.emplace(*this, task.label(), task.completion(), &task);
  } catch (const DeadlockDetectedError& e) {
    task.release();  // the queue's reference: it never took the task
    return Error{ErrorCode::kDeadlock, e.what(), nullptr};
  }
  return enqueue_and_wait(task, timeout, deadline_ns, *wait);
}

Error Dispatcher::enqueue_and_wait(detail::CallTaskBase& task, std::chrono::milliseconds timeout,
                                   std::int64_t deadline_ns, detail::SyncWait& wait) {
  // Registered before admission: shutdown() either finds this caller in the registry or this
  // admission sees the shutdown bit. Never both missed.
  register_waiter(task);
  const ErrorCode admitted = admit_with_retries(task, deadline_ns);
  if (admitted != ErrorCode::kOk) {
    unregister_waiter(task);
    task.release();  // the queue's reference: it never took the task
    if (admitted == ErrorCode::kShutdown) return shutdown_error(name_, task);
    return Error{admitted,
                 name_ + " call '" + task.describe() + "' refused: the queue is full after " +
                     std::to_string(config_.max_retries) + " retries",
                 nullptr};
  }
  task.mark_admitted();
  poke_serving_waiter();  // the main thread may be blocked in a serving wait
  request_wake();
  Error result = wait_for_result(task, timeout, deadline_ns, wait);
  unregister_waiter(task);
  return result;
}

Error Dispatcher::wait_for_result(detail::CallTaskBase& task, std::chrono::milliseconds timeout,
                                  std::int64_t deadline_ns, detail::SyncWait& wait) {
  if (!wait.wait(task.completion(), deadline_ns)) {
    const bool cancelled = task.cancel();
    // Not cancelled: it started (or shutdown answered it); use the answer if it is already there.
    if (cancelled || !task.completion().is_set()) {
      return Error{ErrorCode::kTimeout, describe_timeout(name_, task, timeout, cancelled), nullptr};
    }
  }
  switch (task.outcome()) {
    case ErrorCode::kOk: return Error{};
    case ErrorCode::kShutdown: return shutdown_error(name_, task);
    default:
      return Error{task.outcome(), name_ + " call '" + task.describe() + "' threw",
                   task.take_exception()};
  }
}

void Dispatcher::shutdown() {
  queue_.shutdown();
  {
    CheckedLock lock(waiters_mutex_);
    for (detail::CallTaskBase* task = waiters_; task != nullptr; task = task->registry_next) {
      // Waiting callers are answered now; servable posts drain like any post.
      if (task->has_waiter()) task->cancel_for_shutdown();
    }
  }
  // Let the loop drain what was already accepted.
  wake_requested_.store(false, std::memory_order_seq_cst);
  request_wake();
}

bool Dispatcher::wait_for_drain(std::chrono::milliseconds timeout) {
  assert_no_lock_held("Dispatcher::wait_for_drain");
  if (!is_main_thread()) return wait_for_drain_elsewhere(timeout);
  // On the main thread nobody else will run the queue: run it here, within the timeout.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline &&
         pump(deadline - std::chrono::steady_clock::now()).more_pending) {
  }
  return queue_.wait_for_drain(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{})));
}

// Off the main thread the drain is a synchronous wait on the main thread like call(): it is in the
// wait-for graph and a loop thread keeps serving the calls addressed to it (so closing a WebView from
// the main thread while a WebView handler waits for the main thread completes instead of stalling).
bool Dispatcher::wait_for_drain_elsewhere(std::chrono::milliseconds timeout) {
  const std::int64_t deadline = detail::deadline_after_ns(std::chrono::nanoseconds(timeout).count());
  detail::Completion drained;  // outlives the wait, which keeps a reference to it
  std::optional<detail::SyncWait> wait;
  try {
    static const std::string kLabel = "wait_for_drain";  // the wait keeps a reference to it
    wait.emplace(*this, kLabel, drained);  // no request: a drain needs this loop itself
  } catch (const DeadlockDetectedError& e) {
    log(LogLevel::kWarn, std::string("Dispatcher::wait_for_drain refused: ") + e.what());
    return false;
  }
  queue_.notify_when_drained(drained);
  if (wait->wait(drained, deadline)) return true;
  queue_.forget_drain_waiter(drained);
  return drained.is_set();
}

PumpResult Dispatcher::pump(std::chrono::nanoseconds budget) {
  if (!is_main_thread()) {
    throw std::logic_error("dccview: Dispatcher::pump called off the main thread");
  }
  if (pumping_) return PumpResult{0, queue_.has_pending()};
  assert_no_lock_held("Dispatcher::pump (runs tasks)");
  pumping_ = true;
  pumps_.fetch_add(1, std::memory_order_relaxed);
  // Cleared before looking at the queue: a post that lands after this point wakes the loop again.
  wake_requested_.store(false, std::memory_order_seq_cst);
  const auto deadline = budget >= std::chrono::hours(24)
                            ? std::chrono::steady_clock::time_point::max()
                            : std::chrono::steady_clock::now() + budget;
  PumpResult result;
  try {
    result.ran = queue_.run_until(deadline);
  } catch (...) {
    pumping_ = false;
    throw;
  }
  pumping_ = false;
  // Cleared again: a wake requested during this pump may have been taken by a nested pump, which
  // runs nothing (a task that spun a modal dialog's event loop); left set, it would swallow every
  // later wake and the queue would never be pumped again.
  wake_requested_.store(false, std::memory_order_seq_cst);
  result.more_pending = queue_.has_pending();
  if (result.more_pending) request_wake();
  return result;
}

}  // namespace dccview
