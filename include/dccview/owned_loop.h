// dccview/owned_loop.h: a HostLoop that dccview runs itself, on the calling thread, until quit().
//
// Used by standalone tools (whose main thread then plays the DCC main thread) and by the dedicated
// WebView thread. When idle the thread spins for at most ~50 us (so a burst of calls is answered
// without a kernel wake-up) and then sleeps in the kernel until work or quit() arrives: an idle
// OwnedLoop uses no CPU.
//
// Usage:
//   auto dispatcher = std::make_shared<dccview::Dispatcher>();
//   auto& loop = dispatcher->install<dccview::OwnedLoop>();   // this thread is now the main thread
//   loop.run();                                               // until some thread calls loop.quit()
#pragma once

#include <atomic>
#include <cstdint>

#include "dccview/host_loop.h"

namespace dccview {

class OwnedLoop final : public HostLoop {
 public:
  // Thread-safe (install it with Dispatcher::install on the thread that will run it).
  OwnedLoop() = default;

  // OwnedLoop::run()
  // Pumps the dispatcher until quit(). Returns at once if quit() was already called (quit is sticky;
  // call reset_quit() to run again). Throws std::logic_error if nested inside itself.
  // Main thread only.
  void run();

  // OwnedLoop::quit()
  // Makes run() return after the task it is running, if any. Tasks still queued stay queued.
  // Thread-safe; the caller must keep the dispatcher alive for the duration of the call.
  void quit() noexcept;

  // Clears a previous quit() so run() can be called again. Main thread only.
  void reset_quit() noexcept { quit_.store(false, std::memory_order_relaxed); }

  // Thread-safe.
  bool is_running() const noexcept { return running_.load(std::memory_order_acquire); }

 private:
  void wake() noexcept override;
  void sleep_until_woken() noexcept;

  std::atomic<bool> quit_{false};
  std::atomic<bool> running_{false};
  // 0 = idle, 1 = woken, 2 = sleeping.
  std::atomic<std::uint32_t> signal_{0};
};

}  // namespace dccview
