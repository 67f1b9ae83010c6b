// sync_call_roundtrip: a worker asks another thread's loop to run a no-op and waits for it.
#include <glib.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QMetaObject>
#include <QObject>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "benchmarks.h"
#include "core/wait.h"
#include "dccview/dispatcher.h"
#include "owned_loop_thread.h"

namespace dccview::bench {
namespace {

class DccviewImpl {
 public:
  void call() { loop_.dispatcher().call([] {}, std::chrono::seconds(10)); }

 private:
  OwnedLoopThread loop_;
};

class QtBlockingQueuedImpl {
 public:
  QtBlockingQueuedImpl() {
    std::promise<void> ready;
    thread_ = std::thread([this, &ready] {
      QEventLoop loop;
      QObject target;
      loop_ = &loop;
      target_ = &target;
      ready.set_value();
      loop.exec();
    });
    ready.get_future().wait();
  }
  ~QtBlockingQueuedImpl() {
    QMetaObject::invokeMethod(loop_, "quit", Qt::QueuedConnection);
    thread_.join();
  }
  void call() { QMetaObject::invokeMethod(target_, [] {}, Qt::BlockingQueuedConnection); }

 private:
  QEventLoop* loop_ = nullptr;
  QObject* target_ = nullptr;
  std::thread thread_;
};

class GlibInvokeImpl {
 public:
  GlibInvokeImpl() : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)) {
    g_mutex_init(&mutex_);
    g_cond_init(&cond_);
    thread_ = std::thread([this] {
      g_main_context_push_thread_default(context_);
      g_main_loop_run(loop_);
      g_main_context_pop_thread_default(context_);
    });
    while (!g_main_loop_is_running(loop_)) std::this_thread::yield();
  }
  ~GlibInvokeImpl() {
    g_main_loop_quit(loop_);
    thread_.join();
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
    g_cond_clear(&cond_);
    g_mutex_clear(&mutex_);
  }
  void call() {
    g_mutex_lock(&mutex_);
    done_ = false;
    g_main_context_invoke(context_, &GlibInvokeImpl::run, this);
    while (!done_) g_cond_wait(&cond_, &mutex_);
    g_mutex_unlock(&mutex_);
  }

 private:
  static gboolean run(gpointer data) {
    auto* self = static_cast<GlibInvokeImpl*>(data);
    g_mutex_lock(&self->mutex_);
    self->done_ = true;
    g_cond_signal(&self->cond_);
    g_mutex_unlock(&self->mutex_);
    return G_SOURCE_REMOVE;
  }

  GMainContext* context_;
  GMainLoop* loop_;
  GMutex mutex_;
  GCond cond_;
  bool done_ = false;
  std::thread thread_;
};

// The textbook design: a mutex + condition_variable task queue, the caller waits on a second one.
class MutexCondvarImpl {
 public:
  MutexCondvarImpl() {
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (stop_) return;
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        lock.unlock();
        task();
        lock.lock();
      }
    });
  }
  ~MutexCondvarImpl() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void call() {
    std::mutex done_mutex;
    std::condition_variable done_cv;
    bool done = false;
    {
      std::lock_guard lock(mutex_);
      tasks_.emplace_back([&] {
        std::lock_guard done_lock(done_mutex);
        done = true;
        done_cv.notify_one();
      });
    }
    cv_.notify_one();
    std::unique_lock done_lock(done_mutex);
    done_cv.wait(done_lock, [&] { return done; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

template <class Impl>
void measure(const char* name, int calls, Report& report) {
  Impl impl;
  for (int i = 0; i < calls / 10; ++i) impl.call();  // warm-up
  std::vector<double> samples;
  samples.reserve(calls);
  for (int i = 0; i < calls; ++i) {
    const std::int64_t t0 = detail::now_ns();
    impl.call();
    samples.push_back(static_cast<double>(detail::now_ns() - t0) / 1e3);
  }
  report.add(Row{"sync_call_roundtrip",
                 name,
                 {{"p50_us", percentile(samples, 50)}, {"p99_us", percentile(samples, 99)},
                  {"calls", static_cast<double>(calls)}}});
}

}  // namespace

void run_sync_call_roundtrip(const Options& options, Report& report) {
  const int calls = options.quick ? 5000 : 50000;
  measure<DccviewImpl>("dccview", calls, report);
  measure<QtBlockingQueuedImpl>("qt_blocking_queued", calls, report);
  measure<GlibInvokeImpl>("glib_invoke", calls, report);
  measure<MutexCondvarImpl>("mutex_condvar", calls, report);
}

}  // namespace dccview::bench
