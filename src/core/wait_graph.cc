#include "core/wait_graph.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <unordered_map>
#include <vector>

#include "core/lock_order/order_graph.h"
#include "dccview/detail/task.h"
#include "dccview/errors.h"
#include "dccview/lock_order.h"
#include "dccview/wait_policy.h"

namespace dccview::detail {

namespace {

struct Wait {
  std::thread::id target;
  bool serving;                  // the waiting thread runs the calls addressed to its loop meanwhile
  const CallTaskBase* request;   // the call waited for; nullptr: work that needs the target's loop
  const Completion* done;        // set once the wait is answered; alive while the wait is registered
  const std::string* label;      // what is waited for; alive while the wait is registered
};

// One per thread that ever waited or ran a loop; registered in the graph for its lifetime.
struct ThreadRecord {
  ThreadRecord();
  ~ThreadRecord();
  std::thread::id id = std::this_thread::get_id();
  pthread_t handle = pthread_self();
  long tid = static_cast<long>(syscall(SYS_gettid));
  Dispatcher* loop = nullptr;  // the dispatcher whose loop runs on this thread
  std::vector<Wait> waits;     // a stack: waits nest when a served request waits in turn
};

struct State {
  // A leaf: nothing is locked and no user code runs under it.
  CheckedMutex mutex{"dccview.wait_graph", LockLevel::kGlobal, kLeaf};
  std::unordered_map<std::thread::id, ThreadRecord*> threads DCCVIEW_GUARDED_BY(mutex);
};

State& state() {
  static auto* s = new State();  // leaked: threads and dispatchers may outlive static destruction
  return *s;
}

ThreadRecord::ThreadRecord() {
  waits.reserve(8);
  State& s = state();
  CheckedLock lock(s.mutex);
  s.threads[id] = this;
}

// Trivially destructible, so it can be read after the thread's record is gone: waits during a
// thread's teardown (exit handlers run after the main thread's thread_locals) are not recorded.
thread_local bool t_record_destroyed = false;

ThreadRecord::~ThreadRecord() {
  t_record_destroyed = true;
  State& s = state();
  CheckedLock lock(s.mutex);
  s.threads.erase(id);
}

thread_local ThreadRecord t_record;
thread_local int t_serving_disabled = 0;

ThreadRecord* current_record() { return t_record_destroyed ? nullptr : &t_record; }

std::string describe(const ThreadRecord& record) { return describe_thread(record.handle, record.tid); }

std::string describe(State& s, const ThreadRecord& record, const Wait& wait)
    DCCVIEW_REQUIRES(s.mutex) {
  auto target = s.threads.find(wait.target);
  return describe(record) + " in call '" + (wait.label ? *wait.label : std::string("?")) +
         "' to " + (target != s.threads.end() ? describe(*target->second) : std::string("?"));
}

const Wait* current_wait(State& s, std::thread::id thread, const ThreadRecord** record)
    DCCVIEW_REQUIRES(s.mutex) {
  auto it = s.threads.find(thread);
  if (it == s.threads.end() || it->second->waits.empty()) return nullptr;
  *record = it->second;
  return &it->second->waits.back();
}

// A blocked thread completes the wait of the thread waiting for it only by serving, and only when
// that wait is for a call it has not started: a call it is running is below its own wait on its
// stack, and a page evaluation needs the thread back in its loop.
bool resolves(const Wait& waiting_for_it, const Wait& its_own) noexcept {
  return its_own.serving && waiting_for_it.request != nullptr && !waiting_for_it.request->has_started();
}

// Follows the waits from mine.target. Returns the description of the cycle if it comes back to this
// thread with no thread on the way able to run the request of the one waiting for it, or "".
std::string unservable_cycle(State& s, const ThreadRecord& self, const Wait& mine)
    DCCVIEW_REQUIRES(s.mutex) {
  std::vector<std::thread::id> seen{self.id};
  std::vector<std::pair<const ThreadRecord*, const Wait*>> chain;
  const Wait* previous = &mine;
  for (std::thread::id cur = mine.target;;) {
    const ThreadRecord* record = nullptr;
    const Wait* wait = current_wait(s, cur, &record);
    if (wait == nullptr) return {};                  // cur runs freely and will get to it
    if (wait->done->is_set()) return {};             // cur was answered and is leaving its wait
    if (resolves(*previous, *wait)) return {};       // cur runs the request while it waits
    chain.emplace_back(record, wait);
    if (wait->target == self.id) break;
    for (auto id : seen) {
      if (id == wait->target) return {};  // a cycle that does not involve this thread
    }
    seen.push_back(cur);
    previous = wait;
    cur = wait->target;
  }
  if (resolves(*chain.back().second, mine)) return {};
  std::string text = describe(s, self, mine);
  for (const auto& [record, wait] : chain) {
    text += ", while " + describe(s, *record, *wait) +
            (wait->serving ? " serves only synchronous calls" : " is blocked without serving its loop");
  }
  return text;
}

}  // namespace

void WaitGraph::register_loop(Dispatcher* dispatcher) {
  ThreadRecord* self = current_record();  // registers itself on first use
  if (self == nullptr) return;
  State& s = state();
  CheckedLock lock(s.mutex);
  self->loop = dispatcher;
}

void WaitGraph::unregister_loop(Dispatcher* dispatcher) {
  State& s = state();
  CheckedLock lock(s.mutex);
  for (auto& [id, record] : s.threads) {
    if (record->loop == dispatcher) record->loop = nullptr;
  }
}

WaitGraph::Scope::Scope(std::thread::id target, bool may_serve, const std::string* label,
                        const Completion* done, const CallTaskBase* request) {
  ThreadRecord* record = current_record();
  if (record == nullptr) return;  // the thread is being torn down: nothing to record or serve
  ThreadRecord& self = *record;
  State& s = state();
  std::string cycle;
  {
    CheckedLock lock(s.mutex);
    // A call to the thread's own loop runs inline, so self.loop is never the target's here.
    const bool serving = may_serve && t_serving_disabled == 0 && self.loop != nullptr;
    const Wait mine{target, serving, request, done, label};
    if (target != std::thread::id{}) cycle = unservable_cycle(s, self, mine);
    if (cycle.empty()) {
      self.waits.push_back(mine);
      registered_ = true;
      if (serving) serving_loop_ = self.loop;
    }
  }
  if (!cycle.empty()) {
    throw DeadlockDetectedError("waiting would deadlock (RFC pattern 3): " + cycle +
                                "; nobody in this cycle can run the others' requests");
  }
}

WaitGraph::Scope::~Scope() {
  if (!registered_) return;
  State& s = state();
  CheckedLock lock(s.mutex);
  t_record.waits.pop_back();
}

bool serving_disabled_on_this_thread() noexcept { return t_serving_disabled > 0; }

}  // namespace dccview::detail

namespace dccview {

ScopedNoServingWait::ScopedNoServingWait(const char* reason) noexcept : reason_(reason) {
  ++detail::t_serving_disabled;
}

ScopedNoServingWait::~ScopedNoServingWait() { --detail::t_serving_disabled; }

}  // namespace dccview
