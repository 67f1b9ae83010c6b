#include "core/wait_graph.h"

#include <unordered_map>
#include <vector>

#include "core/lock_order/order_graph.h"
#include "dccview/errors.h"
#include "dccview/lock_order.h"
#include "dccview/wait_policy.h"

namespace dccview::detail {

namespace {

struct Wait {
  std::thread::id target;
  bool serving;
  std::string waiter;  // description of the waiting thread
  std::string what;
};

struct State {
  // A leaf: nothing is locked and no user code runs under it.
  CheckedMutex mutex{"dccview.wait_graph", LockLevel::kGlobal, kLeaf};
  std::unordered_map<std::thread::id, Dispatcher*> loops;
  std::unordered_map<std::thread::id, std::vector<Wait>> waits;  // a stack per thread (nesting)
};

State& state() {
  static auto* s = new State();  // leaked: dispatchers may be destroyed during static destruction
  return *s;
}

thread_local int t_serving_disabled = 0;

const Wait* current_wait(State& s, std::thread::id thread) {
  auto it = s.waits.find(thread);
  return it == s.waits.end() || it->second.empty() ? nullptr : &it->second.back();
}

// Follows waits from `target`; returns the cycle's description if it comes back to `self` without
// passing a serving wait, or an empty string.
std::string unservable_cycle(State& s, std::thread::id self, const Wait& mine) {
  std::string chain = mine.waiter + " " + mine.what;
  std::vector<std::thread::id> seen{self};
  for (std::thread::id cur = mine.target;;) {
    const Wait* w = current_wait(s, cur);
    if (w == nullptr || w->serving) return {};  // cur runs its loop, or serves while it waits
    chain += ", while " + w->waiter + " is blocked without serving its loop in " + w->what;
    if (w->target == self) return mine.serving ? std::string() : chain;
    for (auto id : seen) {
      if (id == w->target) return {};  // a cycle that does not involve this thread
    }
    seen.push_back(cur);
    cur = w->target;
  }
}

}  // namespace

Dispatcher* WaitGraph::loop_of_current_thread() {
  State& s = state();
  CheckedLock lock(s.mutex);
  auto it = s.loops.find(std::this_thread::get_id());
  return it == s.loops.end() ? nullptr : it->second;
}

void WaitGraph::register_loop(Dispatcher* dispatcher, std::thread::id thread) {
  State& s = state();
  CheckedLock lock(s.mutex);
  s.loops[thread] = dispatcher;
}

void WaitGraph::unregister_loop(Dispatcher* dispatcher) {
  State& s = state();
  CheckedLock lock(s.mutex);
  std::erase_if(s.loops, [&](const auto& entry) { return entry.second == dispatcher; });
}

WaitGraph::Scope::Scope(std::thread::id target, bool serving, std::string what) {
  Wait mine{target, serving, describe_current_thread(), std::move(what)};
  State& s = state();
  std::string cycle;
  {
    CheckedLock lock(s.mutex);
    cycle = unservable_cycle(s, std::this_thread::get_id(), mine);
    if (cycle.empty()) s.waits[std::this_thread::get_id()].push_back(std::move(mine));
  }
  if (!cycle.empty()) {
    throw DeadlockDetectedError("waiting would deadlock (RFC pattern 3): " + cycle +
                                "; nobody in this cycle can run the others' requests");
  }
}

WaitGraph::Scope::~Scope() {
  State& s = state();
  CheckedLock lock(s.mutex);
  auto it = s.waits.find(std::this_thread::get_id());
  it->second.pop_back();
  if (it->second.empty()) s.waits.erase(it);
}

bool serving_disabled_on_this_thread() noexcept { return t_serving_disabled > 0; }

}  // namespace dccview::detail

namespace dccview {

ScopedNoServingWait::ScopedNoServingWait(const char* reason) noexcept : reason_(reason) {
  ++detail::t_serving_disabled;
}

ScopedNoServingWait::~ScopedNoServingWait() { --detail::t_serving_disabled; }

}  // namespace dccview
