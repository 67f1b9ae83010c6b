// Recycles task nodes without malloc: a node is allocated from the posting thread's cache and, when
// the consumer is done with it, handed back to that cache's return stack (a lock-free Treiber stack
// with many pushers and one "take all" popper, so no ABA problem). Posting threads thus stop paying
// for glibc's cross-thread free, which dominated a post's cost (docs/performance.md).
//
// Return stacks are never freed: when a thread exits, its stack is parked in an orphan list for the
// next new thread, so nodes still in flight always have a live stack to go back to. Memory is bounded
// by (peak thread count) x kMaxCached slots. Under AddressSanitizer the pool is bypassed so every node
// keeps its own heap allocation and use-after-free stays detectable.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "dccview/detail/task.h"
#include "dccview/lock_order.h"

#if defined(__SANITIZE_ADDRESS__)
#define DCCVIEW_NODE_POOL 0
#else
#define DCCVIEW_NODE_POOL 1
#endif

namespace dccview::detail {

namespace {

constexpr std::size_t kSlotSize = 128;
constexpr std::size_t kHeader = 16;  // owner pointer, padded so nodes stay 16-byte aligned
constexpr std::uint32_t kMaxCached = 4096;
constexpr std::uint32_t kReturnBatch = 64;

struct ReturnStack;
struct Slot {
  ReturnStack* owner;
  Slot* next;  // valid while free
};

struct ReturnStack {
  std::atomic<Slot*> head{nullptr};
  std::atomic<std::uint32_t> approx_size{0};
};

CheckedMutex& orphan_mutex() {
  // Leaked: used during thread-exit teardown. A leaf: nothing else is locked under it.
  static auto* mutex = new CheckedMutex("dccview.node_pool.orphans", LockLevel::kGlobal, kLeaf);
  return *mutex;
}
std::vector<ReturnStack*>& orphans() {
  static auto* list = new std::vector<ReturnStack*>();
  return *list;
}

ReturnStack* adopt_or_create() {
  CheckedLock lock(orphan_mutex());
  if (orphans().empty()) return new ReturnStack();
  ReturnStack* stack = orphans().back();
  orphans().pop_back();
  return stack;
}

void free_chain(Slot* slot) noexcept {
  while (slot != nullptr) {
    Slot* next = slot->next;
    ::operator delete(slot);
    slot = next;
  }
}

struct ThreadCache {
  ReturnStack* stack = adopt_or_create();
  Slot* local = nullptr;

  ~ThreadCache() {
    free_chain(std::exchange(local, nullptr));
    CheckedLock lock(orphan_mutex());
    orphans().push_back(stack);
  }

  Slot* take() {
    if (local == nullptr) {
      local = stack->head.exchange(nullptr, std::memory_order_acquire);
      stack->approx_size.store(0, std::memory_order_relaxed);
    }
    Slot* slot = local;
    if (slot != nullptr) local = slot->next;
    return slot;
  }
};

thread_local ThreadCache t_cache;

}  // namespace

void* allocate_node(std::size_t size) {
#if DCCVIEW_NODE_POOL
  if (size <= kSlotSize - kHeader) {
    Slot* slot = t_cache.take();
    if (slot == nullptr) {
      slot = static_cast<Slot*>(::operator new(kSlotSize));
      slot->owner = t_cache.stack;
    }
    return reinterpret_cast<char*>(slot) + kHeader;
  }
#endif
  return ::operator new(size);
}

namespace {
// Nodes freed by this thread, waiting to go back to their owner's stack in one push: a consumer
// usually frees a run of nodes from the same producer, so one compare-and-swap returns many.
struct PendingReturns {
  ReturnStack* owner = nullptr;
  Slot* first = nullptr;
  Slot* last = nullptr;
  std::uint32_t count = 0;

  ~PendingReturns() { flush(); }

  void flush() noexcept {
    if (count == 0) return;
    Slot* head = owner->head.load(std::memory_order_relaxed);
    do {
      last->next = head;
    } while (!owner->head.compare_exchange_weak(head, first, std::memory_order_release,
                                                std::memory_order_relaxed));
    owner->approx_size.fetch_add(count, std::memory_order_relaxed);
    owner = nullptr;
    first = last = nullptr;
    count = 0;
  }

  void add(Slot* slot) noexcept {
    if (slot->owner != owner || count == kReturnBatch) {
      flush();
      owner = slot->owner;
    }
    if (owner->approx_size.load(std::memory_order_relaxed) >= kMaxCached) {
      ::operator delete(slot);
      return;
    }
    slot->next = first;
    first = slot;
    if (last == nullptr) last = slot;
    ++count;
  }
};

thread_local PendingReturns t_returns;
}  // namespace

void free_node(void* node, std::size_t size) noexcept {
#if DCCVIEW_NODE_POOL
  if (size <= kSlotSize - kHeader) {
    t_returns.add(reinterpret_cast<Slot*>(static_cast<char*>(node) - kHeader));
    return;
  }
#endif
  ::operator delete(node, size);
}

void flush_freed_nodes() noexcept {
#if DCCVIEW_NODE_POOL
  t_returns.flush();
#endif
}

}  // namespace dccview::detail
