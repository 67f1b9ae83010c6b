// Test drivers: each starts a thread that plays a host's main thread with one HostLoop backend.
// stop() hands the last dispatcher reference to that thread so the dispatcher (and its loop) is
// destroyed on the main thread, as the loops' lifetime contract asks.
#pragma once

#include <glib.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "dccview/dispatcher.h"
#include "dccview/glib_loop.h"
#include "dccview/manual_loop.h"
#include "dccview/owned_loop.h"
#include "test_support.h"

namespace dccview::testing {

class DriverBase {
 public:
  std::thread::native_handle_type native_handle() { return thread_.native_handle(); }

 protected:
  // Runs body(dispatcher, ready) on a new thread; returns once ready() was called there.
  template <class Body>
  void launch(std::shared_ptr<Dispatcher> dispatcher, Body body) {
    std::promise<void> ready;
    auto ready_future = ready.get_future();
    thread_ = std::thread([this, dispatcher, body, &ready]() mutable {
      body(*dispatcher, [&ready] { ready.set_value(); });
      released_.wait();  // stop() is done touching the loop
      dispatcher.reset();
      last_ref_.reset();  // the dispatcher dies here, on its main thread
    });
    ready_future.wait();
  }
  void hand_over(std::shared_ptr<Dispatcher> last_ref) {
    last_ref_ = std::move(last_ref);
  }
  void join() {
    released_.open();
    thread_.join();
  }

  Gate released_;
  std::shared_ptr<Dispatcher> last_ref_;
  std::thread thread_;
};

class OwnedDriver : public DriverBase {
 public:
  static constexpr const char* kName = "owned";
  void start(std::shared_ptr<Dispatcher> d) {
    launch(std::move(d), [this](Dispatcher& dispatcher, auto ready) {
      loop_ = &dispatcher.install<OwnedLoop>();
      ready();
      loop_->run();
    });
  }
  void stop(std::shared_ptr<Dispatcher> last_ref) {
    hand_over(std::move(last_ref));
    loop_->quit();
    join();
  }

 private:
  OwnedLoop* loop_ = nullptr;
};

// Plays a host that pumps from its own loop when told that work is waiting (like Blender timers).
class ManualDriver : public DriverBase {
 public:
  static constexpr const char* kName = "manual";
  void start(std::shared_ptr<Dispatcher> d) {
    launch(std::move(d), [this](Dispatcher& dispatcher, auto ready) {
      auto& loop = dispatcher.install<ManualLoop>([this] {
        {
          std::lock_guard lock(mutex_);
          work_ = true;
        }
        cv_.notify_one();
      });
      ready();
      std::unique_lock lock(mutex_);
      while (!stop_) {
        cv_.wait(lock, [&] { return work_ || stop_; });
        work_ = false;
        lock.unlock();
        loop.pump(std::chrono::milliseconds(5));
        lock.lock();
      }
    });
  }
  void stop(std::shared_ptr<Dispatcher> last_ref) {
    hand_over(std::move(last_ref));
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool work_ = false;
  bool stop_ = false;
};

// A GTK-like host: a GMainLoop iterating its own GMainContext.
class GlibDriver : public DriverBase {
 public:
  static constexpr const char* kName = "glib";
  void start(std::shared_ptr<Dispatcher> d) {
    context_ = g_main_context_new();
    main_loop_ = g_main_loop_new(context_, FALSE);
    launch(std::move(d), [this](Dispatcher& dispatcher, auto ready) {
      g_main_context_push_thread_default(context_);
      dispatcher.install<GlibLoop>(context_);
      ready();
      g_main_loop_run(main_loop_);
      g_main_context_pop_thread_default(context_);
    });
  }
  void stop(std::shared_ptr<Dispatcher> last_ref) {
    hand_over(std::move(last_ref));
    g_main_loop_quit(main_loop_);
    join();
    g_main_loop_unref(main_loop_);
    g_main_context_unref(context_);
  }

 private:
  GMainContext* context_ = nullptr;
  GMainLoop* main_loop_ = nullptr;
};

}  // namespace dccview::testing
