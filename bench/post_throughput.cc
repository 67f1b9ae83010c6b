// post_throughput: P producers post small closures to one consumer thread; msgs_per_s is the number
// of closures run per second, from the first post until the consumer ran the last one.
#include <concurrentqueue.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "benchmarks.h"
#include "core/wait.h"
#include "dccview/dispatcher.h"
#include "owned_loop_thread.h"

namespace dccview::bench {
namespace {

// What every consumer runs: count, and signal when the last message arrived. Consumer-only state.
struct Sink {
  std::uint64_t expected = 0;
  std::uint64_t count = 0;
  std::atomic<bool> done{false};
  void consume() {
    if (++count == expected) done.store(true, std::memory_order_release);
  }
};

class DccviewImpl {
 public:
  explicit DccviewImpl(int) {}
  void post(int, Sink* sink) { loop_.dispatcher().post([sink] { sink->consume(); }); }

 private:
  OwnedLoopThread loop_;
};

// moodycamel::ConcurrentQueue of std::function with one producer token per producer (its fastest
// mode) and a consumer that dequeues in bulk and spins while empty.
class MoodycamelImpl {
 public:
  explicit MoodycamelImpl(int producers) {
    for (int i = 0; i < producers; ++i) tokens_.emplace_back(std::make_unique<moodycamel::ProducerToken>(queue_));
    thread_ = std::thread([this] {
      std::function<void()> batch[256];
      while (!stop_.load(std::memory_order_relaxed)) {
        const std::size_t n = queue_.try_dequeue_bulk(batch, 256);
        if (n == 0) std::this_thread::yield();
        for (std::size_t i = 0; i < n; ++i) batch[i]();
      }
    });
  }
  ~MoodycamelImpl() {
    stop_ = true;
    thread_.join();
  }
  void post(int producer, Sink* sink) {
    queue_.enqueue(*tokens_[producer], [sink] { sink->consume(); });
  }

 private:
  moodycamel::ConcurrentQueue<std::function<void()>> queue_;
  std::vector<std::unique_ptr<moodycamel::ProducerToken>> tokens_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class MutexDequeImpl {
 public:
  explicit MutexDequeImpl(int) {
    thread_ = std::thread([this] {
      std::deque<std::function<void()>> batch;
      std::unique_lock lock(mutex_);
      for (;;) {
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (stop_) return;
        batch.swap(tasks_);
        lock.unlock();
        for (auto& task : batch) task();
        batch.clear();
        lock.lock();
      }
    });
  }
  ~MutexDequeImpl() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void post(int, Sink* sink) {
    bool was_empty;
    {
      std::lock_guard lock(mutex_);
      was_empty = tasks_.empty();
      tasks_.emplace_back([sink] { sink->consume(); });
    }
    if (was_empty) cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

// An intrusive multi-producer single-consumer queue in the style of Dmitry Vyukov's: a push is one
// exchange on the head and one store; the consumer follows the links from the tail. Ordered like
// dccview's queue (a push that happens before another is popped first), unlike moodycamel's. Its
// consumer yields while the queue is empty, as the moodycamel reference does. dccview's own queue
// (src/core/task_queue.cc) links its entries by the same scheme; this copy is written apart on
// purpose: a reference shares no code with what it measures (it has no lanes, no accounting, and one
// allocation per task).
class VyukovMpscImpl {
 public:
  explicit VyukovMpscImpl(int) {
    thread_ = std::thread([this] {
      while (!stop_.load(std::memory_order_relaxed)) {
        Node* node = pop();
        if (node == nullptr) {
          std::this_thread::yield();
          continue;
        }
        node->task();
        delete node;
      }
    });
  }
  ~VyukovMpscImpl() {
    stop_ = true;
    thread_.join();
    while (Node* node = pop()) delete node;
  }
  void post(int, Sink* sink) { push(new Node{{nullptr}, [sink] { sink->consume(); }}); }

 private:
  struct Node {
    std::atomic<Node*> next;
    std::function<void()> task;
  };

  void push(Node* node) {
    node->next.store(nullptr, std::memory_order_relaxed);
    Node* previous = head_.exchange(node, std::memory_order_acq_rel);
    previous->next.store(node, std::memory_order_release);  // until here the node is not reachable
  }

  // Consumer only. Null when empty, or when a push has taken the head but not linked it yet.
  Node* pop() {
    Node* tail = tail_;
    Node* next = tail->next.load(std::memory_order_acquire);
    if (tail == &stub_) {
      if (next == nullptr) return nullptr;
      tail_ = next;
      tail = next;
      next = next->next.load(std::memory_order_acquire);
    }
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    if (tail != head_.load(std::memory_order_acquire)) return nullptr;  // a push is linking
    push(&stub_);  // the last node stays linked: put the stub behind it, then take it
    next = tail->next.load(std::memory_order_acquire);
    if (next == nullptr) return nullptr;
    tail_ = next;
    return tail;
  }

  Node stub_{{nullptr}, {}};
  std::atomic<Node*> head_{&stub_};
  Node* tail_ = &stub_;  // consumer only
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

template <class Impl>
void measure(const char* name, int producers, std::uint64_t messages, Report& report) {
  Impl impl(producers);
  Sink sink;
  sink.expected = messages;
  const std::uint64_t each = messages / producers;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (std::uint64_t i = 0; i < each; ++i) impl.post(p, &sink);
    });
  }
  const std::int64_t t0 = detail::now_ns();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  while (!sink.done.load(std::memory_order_acquire)) std::this_thread::yield();
  const double seconds = static_cast<double>(detail::now_ns() - t0) / 1e9;
  report.add(Row{"post_throughput",
                 name,
                 {{"producers", static_cast<double>(producers)},
                  {"msgs_per_s", static_cast<double>(messages) / seconds}}});
}

}  // namespace

void run_post_throughput(const Options& options, Report& report) {
  const std::uint64_t messages = options.quick ? 1'000'000 : 4'000'000;
  for (int producers : {1, 2, 4}) {
    measure<DccviewImpl>("dccview", producers, messages, report);
    measure<MoodycamelImpl>("moodycamel", producers, messages, report);
    measure<MutexDequeImpl>("mutex_deque", producers, messages, report);
    measure<VyukovMpscImpl>("vyukov_mpsc", producers, messages, report);
  }
}

}  // namespace dccview::bench
