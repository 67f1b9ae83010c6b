// The serving wait: a loop thread blocked in a synchronous call to another loop keeps running the
// synchronous calls addressed to its own loop, so cross-thread call chains (main -> WebView -> main)
// complete instead of deadlocking. Callers register in the target's registry before their task is
// admitted; a serving thread claims registered, admitted, still-queued tasks with one
// compare-and-swap (the queue's consumer loses that race cleanly: it sees "served elsewhere").
#include <vector>

#include "dccview/dispatcher.h"

namespace dccview {

void Dispatcher::poke_serving_waiter() {
  CheckedLock lock(waiters_mutex_);
  if (serving_call_ != nullptr) serving_call_->completion().poke();
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

bool Dispatcher::serve_until_complete(detail::CallTaskBase& task, std::int64_t deadline_ns) {
  detail::CallTaskBase* outer;
  {
    CheckedLock lock(waiters_mutex_);
    outer = std::exchange(serving_call_, &task);  // nested serving waits stack up
  }
  detail::Completion::Wake wake = detail::Completion::Wake::kPoked;
  while (wake == detail::Completion::Wake::kPoked) {
    serve_incoming();
    wake = task.completion().wait_until(deadline_ns, /*accept_pokes=*/true);
  }
  {
    CheckedLock lock(waiters_mutex_);
    serving_call_ = outer;
  }
  return wake == detail::Completion::Wake::kDone;
}

}  // namespace dccview
