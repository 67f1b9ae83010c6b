// A Dispatcher whose OwnedLoop runs on its own thread: the "main thread" of the benchmarks.
#pragma once

#include <future>
#include <memory>
#include <thread>

#include "dccview/dispatcher.h"
#include "dccview/owned_loop.h"

namespace dccview::bench {

class OwnedLoopThread {
 public:
  OwnedLoopThread() : dispatcher_(std::make_shared<Dispatcher>()) {
    std::promise<OwnedLoop*> ready;
    auto loop = ready.get_future();
    thread_ = std::thread([this, &ready] {
      auto& owned = dispatcher_->install<OwnedLoop>();
      ready.set_value(&owned);
      owned.run();
    });
    loop_ = loop.get();
  }
  ~OwnedLoopThread() {
    loop_->quit();
    thread_.join();
  }
  OwnedLoopThread(const OwnedLoopThread&) = delete;
  OwnedLoopThread& operator=(const OwnedLoopThread&) = delete;

  Dispatcher& dispatcher() { return *dispatcher_; }
  std::shared_ptr<Dispatcher> shared() { return dispatcher_; }
  std::thread::native_handle_type native_handle() { return thread_.native_handle(); }

 private:
  std::shared_ptr<Dispatcher> dispatcher_;
  OwnedLoop* loop_ = nullptr;
  std::thread thread_;
};

}  // namespace dccview::bench
