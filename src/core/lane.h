// Lanes: where a TaskQueue's entries live, one lane per producer thread.
//
// A queue is one list of entries in the order they were pushed (Dmitry Vyukov's intrusive MPSC
// list: a producer links with one exchange, the consumer walks without read-modify-writes), so a
// push that happens before another runs before it, whichever threads made them. The entries
// themselves are carved out of the pushing thread's lane: 4 KiB blocks written only by that thread,
// each entry a 32-byte header followed either by a fire-and-forget closure built in place (no
// allocation per task) or by nothing (the header then points to a heap TaskNode: synchronous calls,
// large closures). Since a thread's entries run in the order it pushed them, a block is done once
// the consumer reaches the first entry of the thread's next block: it then goes back to its lane.
//
// Admission without a shared counter: a push marks its lane busy, checks the queue's shutdown flag,
// counts itself in its lane and links; shutdown sets the flag, then waits until no lane is busy, so
// no push is accepted after shutdown() returned. That handshake needs a store-then-load order on
// both sides; the rare side (shutdown) pays for both (src/core/barrier.h).
//
// Lifetime: a lane is referenced by its queue and by the thread that owns it (through that thread's
// lane cache). When the thread exits the lane is released for adoption by the next new producer
// thread of the same queue, so a queue holds at most as many lanes as it ever had concurrent
// producer threads. Internal to the core library.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "dccview/detail/task.h"

namespace dccview::detail {

class Lane;

struct LaneBlock {
  static constexpr std::size_t kSize = 4096;
  static constexpr std::size_t kHeader = 16;
  static constexpr std::size_t kBytes = kSize - kHeader;

  Lane* lane = nullptr;           // where it goes back when done
  LaneBlock* previous = nullptr;  // the lane's block before this one, until it is released
  alignas(16) unsigned char bytes[kBytes];

  LaneEntry* at(std::size_t offset) noexcept { return reinterpret_cast<LaneEntry*>(bytes + offset); }
  // The block an entry that starts_block() begins.
  static LaneBlock* started_by(LaneEntry* entry) noexcept {
    return reinterpret_cast<LaneBlock*>(reinterpret_cast<unsigned char*>(entry) - offsetof(LaneBlock, bytes));
  }
};
static_assert(sizeof(LaneBlock) == LaneBlock::kSize);
static_assert(kInlineHeader + kMaxInlineClosure <= LaneBlock::kBytes);

class Lane {
 public:
  // `queue_id` identifies the owning queue in thread caches; `shut` is the queue's shutdown flag,
  // read only by pushes, which need the queue alive anyway. Throws std::bad_alloc.
  Lane(std::uint64_t queue_id, const std::atomic<bool>& shut);
  ~Lane();
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // A push, by the owning thread: reserve() room for the entry (nullptr: out of memory;
  // `starts_block` tells whether it is the first of its block), write it, then admit(): false means
  // the queue is shut down (the entry is abandoned, the room reused); true means it is counted and
  // must now be linked, then end_push(size).
  LaneEntry* reserve(std::uint32_t size, bool& starts_block) noexcept;
  bool admit() noexcept;
  void end_push(std::uint32_t size) noexcept;
  // Owning thread: every 64th entry carries its admission time (a clock read costs more than a
  // push).
  std::int64_t sample_time() const noexcept;

  // Consumer: takes back a block all of whose entries are finished.
  void recycle(LaneBlock* block) noexcept;
  // Shutdown, after the flag was set and heavy_barrier(): waits until no push is in progress.
  void wait_until_no_push() const noexcept;
  // Any thread: entries ever accepted into this lane.
  std::uint64_t accepted() const noexcept { return count_.load(std::memory_order_seq_cst); }

  // Ownership by a producer thread (see the file comment). Any thread.
  bool try_adopt() noexcept;
  void disown() noexcept { owned_.store(false, std::memory_order_release); }
  // Drops one reference (the queue's or the owning thread's); the last one deletes the lane.
  void release() noexcept;
  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

  const std::uint64_t queue_id;
  // Set when the queue is destroyed: thread caches drop such lanes.
  std::atomic<bool> queue_gone{false};
  // The queue's list of every lane it ever had (immutable once the lane is published).
  Lane* next_in_queue = nullptr;

 private:
  LaneBlock* take_block() noexcept;

  // Owning thread (count_ and pushing_ are read by others).
  alignas(64) std::atomic<std::uint64_t> count_{0};
  std::atomic<bool> pushing_{false};
  LaneBlock* tail_block_;
  std::size_t tail_offset_ = 0;  // where the next entry goes in tail_block_
  const std::atomic<bool>* queue_shut_;
  // Shared, rarely written.
  alignas(64) std::atomic<LaneBlock*> spare_{nullptr};  // one finished block kept for reuse
  std::atomic<int> refs_{1};                             // the queue's; owners add theirs
  std::atomic<bool> owned_{false};
};

// The calling thread's lane for the queue `queue_id`, or nullptr if it has none yet. Cached per
// thread; the cache holds a reference and disowns its lanes when the thread exits.
Lane* find_cached_lane(std::uint64_t queue_id) noexcept;
// The last lane this thread used, checked inline before the full lookup.
extern thread_local constinit Lane* t_last_lane;
inline Lane* cached_lane(std::uint64_t queue_id) noexcept {
  Lane* last = t_last_lane;
  return last != nullptr && last->queue_id == queue_id ? last : find_cached_lane(queue_id);
}
// Remembers `lane` (already adopted, with a reference for the cache) as this thread's lane for its
// queue. Returns false when the thread is exiting and its cache is gone: the caller then disowns and
// releases the lane after its push.
bool cache_lane(Lane* lane) noexcept;

}  // namespace dccview::detail
