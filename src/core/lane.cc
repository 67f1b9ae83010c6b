#include "core/lane.h"

#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "core/barrier.h"
#include "core/wait.h"

namespace dccview::detail {

const InlineOps kNodeEntry{static_cast<std::uint32_t>(kInlineHeader), nullptr, nullptr};

Lane::Lane(std::uint64_t id, const std::atomic<bool>& shut)
    : queue_id(id), tail_block_(new LaneBlock), queue_shut_(&shut) {
  tail_block_->lane = this;
}

// What is left: the current block and those before it the consumer has not reached (a queue torn
// down with entries it destroyed leaves them here), and the spare.
Lane::~Lane() {
  LaneBlock* block = tail_block_;
  while (block != nullptr) delete std::exchange(block, block->previous);
  delete spare_.load(std::memory_order_relaxed);
}

LaneBlock* Lane::take_block() noexcept {
  LaneBlock* block = spare_.exchange(nullptr, std::memory_order_acquire);
  if (block == nullptr) block = new (std::nothrow) LaneBlock;
  if (block != nullptr) {
    block->lane = this;
    block->previous = nullptr;
  }
  return block;
}

void Lane::recycle(LaneBlock* block) noexcept {
  delete spare_.exchange(block, std::memory_order_acq_rel);
}

// An entry never straddles blocks. Room is claimed for good only by end_push(), so a refused push
// leaves the next one the same room (a block started for it stays, and is used).
LaneEntry* Lane::reserve(std::uint32_t size, bool& starts_block) noexcept {
  if (tail_offset_ + size > LaneBlock::kBytes) {
    LaneBlock* block = take_block();
    if (block == nullptr) return nullptr;
    block->previous = tail_block_;
    tail_block_ = block;
    tail_offset_ = 0;
  }
  starts_block = tail_offset_ == 0;
  return tail_block_->at(tail_offset_);
}

// The push side of the admission handshake (see the file comment): counted before it is linked,
// so the in-flight count never misses a linked entry.
bool Lane::admit() noexcept {
  pushing_.store(true, std::memory_order_relaxed);
  light_barrier();
  if (queue_shut_->load(std::memory_order_relaxed)) {
    pushing_.store(false, std::memory_order_release);
    return false;
  }
  // Release suffices: the link's exchange orders it before the entry becomes visible.
  count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  return true;
}

void Lane::end_push(std::uint32_t size) noexcept {
  tail_offset_ += size;
  pushing_.store(false, std::memory_order_release);
}

std::int64_t Lane::sample_time() const noexcept {
  return (count_.load(std::memory_order_relaxed) & 63u) == 63u ? now_ns() : 0;
}

void Lane::wait_until_no_push() const noexcept {
  while (pushing_.load(std::memory_order_acquire)) std::this_thread::yield();
}

bool Lane::try_adopt() noexcept {
  bool expected = false;
  if (!owned_.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
  retain();
  return true;
}

void Lane::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

thread_local constinit Lane* t_last_lane = nullptr;

namespace {

// The lanes this thread owns, one per queue it pushed into. `last` makes the common case (one
// queue, over and over) a single comparison.
struct LaneCache {
  std::vector<Lane*> lanes;

  ~LaneCache();

  void drop_lanes_of_gone_queues() noexcept {
    t_last_lane = nullptr;
    std::erase_if(lanes, [](Lane* lane) {
      if (!lane->queue_gone.load(std::memory_order_acquire)) return false;
      lane->disown();
      lane->release();
      return true;
    });
  }
};

thread_local LaneCache t_lanes;
// Set once t_lanes is destroyed (a push from a later thread-exit destructor must not touch it).
thread_local bool t_lanes_gone = false;

LaneCache::~LaneCache() {
  t_lanes_gone = true;
  t_last_lane = nullptr;
  for (Lane* lane : lanes) {
    lane->disown();
    lane->release();
  }
}

}  // namespace

Lane* find_cached_lane(std::uint64_t queue_id) noexcept {
  if (t_lanes_gone) return nullptr;
  for (Lane* lane : t_lanes.lanes) {
    if (lane->queue_id == queue_id) return t_last_lane = lane;
  }
  return nullptr;
}

bool cache_lane(Lane* lane) noexcept {
  if (t_lanes_gone) return false;
  LaneCache& cache = t_lanes;
  cache.drop_lanes_of_gone_queues();
  try {
    cache.lanes.push_back(lane);
  } catch (...) {
    return false;
  }
  t_last_lane = lane;
  return true;
}

}  // namespace dccview::detail
