// The TaskQueue's lanes (src/core/lane.h): closures stored in place, order across threads, blocks
// and lanes reused, and what happens when a closure's constructor throws.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dccview/task_queue.h"

namespace dccview {
namespace {

// Pushes `fn` the way Dispatcher::post does: built in place in the calling thread's lane.
template <class F>
ErrorCode push_inline(TaskQueue& queue, F&& fn) {
  using D = std::decay_t<F>;
  static_assert(detail::kFitsInline<D>);
  return queue.push(detail::InlineTask{&detail::InlineOpsFor<D>::ops, "test",
                                       &detail::construct_inline<D, F&&>,
                                       const_cast<void*>(static_cast<const void*>(&fn))});
}

std::size_t run_all(TaskQueue& queue) {
  return queue.run_until(std::chrono::steady_clock::time_point::max());
}

TEST(TaskQueueLanes, APushThatHappensBeforeAnotherThreadsPushRunsFirst) {
  // Thread A pushes, then lets B push: B's task must run after A's, for every pair, whether the
  // consumer is idle (first half) or draining concurrently (second half).
  constexpr int kPairs = 2000;
  TaskQueue queue;
  std::vector<int> order;
  std::atomic<int> turn{0};  // 2k: A may push pair k; 2k+1: B may push it
  std::atomic<bool> stop{false};
  auto producer = [&](int side) {
    for (int k = 0; k < kPairs; ++k) {
      while (turn.load(std::memory_order_acquire) != 2 * k + side) std::this_thread::yield();
      ASSERT_EQ(push_inline(queue, [&order, k, side] { order.push_back(2 * k + side); }),
                ErrorCode::kOk);
      turn.store(2 * k + side + 1, std::memory_order_release);
    }
  };
  std::thread consumer([&] {
    while (!stop.load()) {
      if (turn.load() >= kPairs) run_all(queue);  // idle for the first half
      std::this_thread::yield();
    }
  });
  std::thread a(producer, 0), b(producer, 1);
  a.join();
  b.join();
  stop = true;
  consumer.join();
  run_all(queue);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(2 * kPairs));
  for (int i = 0; i < 2 * kPairs; ++i) ASSERT_EQ(order[i], i) << "at " << i;
}

TEST(TaskQueueLanes, ClosuresOfEverySizeSpanManyBlocksInOrderWithNodeEntries) {
  TaskQueue queue;
  std::vector<int> ran;
  constexpr int kTasks = 20000;  // about 240 blocks of 4 KiB
  for (int i = 0; i < kTasks; ++i) {
    if (i % 7 == 0) {  // a heap node between inline closures
      auto* node = new detail::PostTask<std::function<void()>>([&ran, i] { ran.push_back(i); }, "node");
      ASSERT_EQ(queue.push(node), ErrorCode::kOk);
    } else if (i % 3 == 0) {
      std::array<char, 400> payload{};  // a large closure: 400 bytes inline
      payload[399] = static_cast<char>(i % 100);
      ASSERT_EQ(push_inline(queue, [&ran, i, payload] { ran.push_back(i + payload[399] - i % 100); }),
                ErrorCode::kOk);
    } else {
      ASSERT_EQ(push_inline(queue, [&ran, i] { ran.push_back(i); }), ErrorCode::kOk);
    }
    if (i % 5000 == 4999) run_all(queue);  // consume part way: blocks go back to the lane
  }
  run_all(queue);
  ASSERT_EQ(ran.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) ASSERT_EQ(ran[i], i);
  const QueueStats s = queue.stats();
  EXPECT_EQ(s.accepted, static_cast<std::uint64_t>(kTasks));
  EXPECT_EQ(s.run, s.accepted);
  EXPECT_EQ(s.lanes, 1u);
}

struct ThrowsWhenCopied {
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  ThrowsWhenCopied() = default;
  ThrowsWhenCopied(const ThrowsWhenCopied&) { throw std::runtime_error("copy failed"); }
  void operator()() const {}
};

TEST(TaskQueueLanes, AClosureWhoseConstructorThrowsIsNotQueuedAndTheLaneGoesOn) {
  TaskQueue queue;
  ThrowsWhenCopied bad;
  EXPECT_THROW(push_inline(queue, static_cast<const ThrowsWhenCopied&>(bad)), std::runtime_error);
  EXPECT_EQ(queue.stats().accepted, 0u);
  EXPECT_EQ(queue.stats().rejected, 1u);
  int ran = 0;
  ASSERT_EQ(push_inline(queue, [&ran] { ++ran; }), ErrorCode::kOk);
  EXPECT_EQ(run_all(queue), 1u);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(bad.alive.use_count(), 1) << "nothing kept a copy";
}

TEST(TaskQueueLanes, ARefusedClosureIsDestroyedOnThePushingThreadBeforePushReturns) {
  TaskQueue queue;
  queue.shutdown();
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  EXPECT_EQ(push_inline(queue, [held = std::move(sentinel)] {}), ErrorCode::kShutdown);
  EXPECT_TRUE(watch.expired());
}

TEST(TaskQueueLanes, ATaskThatDiscardsTheRestOfItsQueueDoesNotFreeItsOwnBlock) {
  // Under AddressSanitizer a block returned while the task running from it still runs is caught.
  TaskQueue queue;
  std::size_t discarded = 0;
  std::string kept = "the running task's own capture";
  ASSERT_EQ(push_inline(queue, [&] {
              discarded = queue.discard_pending();
              kept += " is still readable";
            }),
            ErrorCode::kOk);
  for (int i = 0; i < 500; ++i) {  // several blocks after the running task
    ASSERT_EQ(push_inline(queue, [] { FAIL() << "discarded tasks never run"; }), ErrorCode::kOk);
  }
  EXPECT_EQ(run_all(queue), 1u);
  EXPECT_EQ(discarded, 500u);
  EXPECT_EQ(kept, "the running task's own capture is still readable");
  const QueueStats s = queue.stats();
  EXPECT_EQ(s.accepted, s.run + s.cancelled + s.destroyed);
}

TEST(TaskQueueLanes, ThreadsThatComeAndGoReuseTheLanesOfThoseThatExited) {
  TaskQueue queue;
  std::atomic<int> ran{0};
  for (int round = 0; round < 50; ++round) {
    std::thread([&] {
      for (int i = 0; i < 100; ++i) ASSERT_EQ(push_inline(queue, [&ran] { ++ran; }), ErrorCode::kOk);
    }).join();
    if (round % 10 == 9) run_all(queue);
  }
  run_all(queue);
  EXPECT_EQ(ran.load(), 5000);
  EXPECT_EQ(queue.stats().lanes, 1u) << "one thread at a time: one lane, adopted by each";
}

TEST(TaskQueueLanes, AThreadOutlivingItsQueuePushesIntoTheNextQueueSafely) {
  // The thread's lane cache still holds the first queue's lane when that queue is gone.
  int ran = 0;
  { TaskQueue first; ASSERT_EQ(push_inline(first, [&ran] { ++ran; }), ErrorCode::kOk); }
  TaskQueue second;
  ASSERT_EQ(push_inline(second, [&ran] { ran += 10; }), ErrorCode::kOk);
  EXPECT_EQ(run_all(second), 1u);
  EXPECT_EQ(ran, 10) << "the first queue's task was destroyed with it, not run";
}

}  // namespace
}  // namespace dccview
