// The serving wait: a loop thread blocked in a synchronous call to another loop keeps running the
// synchronous calls addressed to its own loop, so cross-thread call chains (main -> WebView -> main)
// complete instead of deadlocking. Callers register in the target's registry before their task is
// admitted; a serving thread claims registered, admitted, still-queued tasks with one
// compare-and-swap (the queue's consumer loses that race cleanly: it sees "served elsewhere").
#include <vector>

#include "core/wait_graph.h"
#include "dccview/dispatcher.h"

namespace dccview {

void Dispatcher::poke_serving_waiter() {
  CheckedLock lock(waiters_mutex_);
  if (serving_completion_ != nullptr) serving_completion_->poke();
}

bool Dispatcher::submit_servable(detail::CallTaskBase& task) {
  register_waiter(task);
  if (queue_.push(&task, /*may_block=*/!is_main_thread()) != ErrorCode::kOk) {
    unregister_waiter(task);
    task.release();  // the queue's reference
    task.release();  // the registry's reference
    return false;
  }
  task.mark_admitted();
  poke_serving_waiter();
  request_wake();
  return true;
}

void Dispatcher::serve_incoming() {
  std::vector<detail::CallTaskBase*> claimed;
  {
    CheckedLock lock(waiters_mutex_);
    for (detail::CallTaskBase* task = waiters_; task != nullptr; task = task->registry_next) {
      if (task->claim_for_serving()) claimed.push_back(task);
    }
  }
  // Oldest first: the registry is newest-first.
  for (auto it = claimed.rbegin(); it != claimed.rend(); ++it) queue_.note_served((*it)->serve());
}

bool Dispatcher::serve_until_complete(detail::Completion& done, std::int64_t deadline_ns) {
  detail::Completion* outer;
  {
    CheckedLock lock(waiters_mutex_);
    outer = std::exchange(serving_completion_, &done);  // nested serving waits stack up
  }
  detail::Completion::Wake wake = detail::Completion::Wake::kPoked;
  while (wake == detail::Completion::Wake::kPoked) {
    serve_incoming();
    wake = done.wait_until(deadline_ns, /*accept_pokes=*/true);
  }
  {
    CheckedLock lock(waiters_mutex_);
    serving_completion_ = outer;
  }
  return wake == detail::Completion::Wake::kDone;
}

namespace detail {

SyncWait::SyncWait(const Dispatcher& target, const std::string& label, const Completion& done,
                   const CallTaskBase* request) {
  assert_no_lock_held("a synchronous wait on another thread");
  // A thread holding a lock (report mode) must not run nested requests under it.
  auto* scope = new WaitGraph::Scope(target.main_thread_id(), !holds_checked_lock(), &label, &done, request);
  serving_loop_ = scope->serving_loop();
  scope_ = scope;
}

SyncWait::~SyncWait() { delete static_cast<WaitGraph::Scope*>(scope_); }

bool SyncWait::wait(Completion& done, std::int64_t deadline_ns) {
  if (serving_loop_ != nullptr) return serving_loop_->serve_until_complete(done, deadline_ns);
  return done.wait_until(deadline_ns) == Completion::Wake::kDone;
}

}  // namespace detail

}  // namespace dccview
