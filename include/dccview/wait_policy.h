// dccview/wait_policy.h: how a loop thread waits for another loop.
//
// A thread that runs a dccview loop (the main thread, the WebView thread) and blocks in a
// synchronous call to another loop keeps running the synchronous requests addressed to its own loop
// while it waits (like Win32 SendMessage or Chromium's sync IPC), so main -> WebView -> main
// completes instead of deadlocking. Only synchronous requests are served that way; posted tasks wait
// for the loop, so their order is untouched. A served request can run before a task posted earlier
// by the same thread: that is the price of not deadlocking, and it only happens inside such a wait.
//
// ScopedNoServingWait turns this off on the calling thread for a named scope, for code that must not
// run nested tasks. Waits inside it do not serve; a cycle of such waits is refused with
// DeadlockDetectedError when the wait that would close it starts (never by timing out).
#pragma once

namespace dccview {

// Not thread-safe (scopes one thread). `reason` must outlive the scope (a string literal).
class ScopedNoServingWait {
 public:
  explicit ScopedNoServingWait(const char* reason) noexcept;
  ~ScopedNoServingWait();
  ScopedNoServingWait(const ScopedNoServingWait&) = delete;
  ScopedNoServingWait& operator=(const ScopedNoServingWait&) = delete;
  // Not thread-safe (the scope's own thread).
  const char* reason() const noexcept { return reason_; }

 private:
  const char* reason_;
};

}  // namespace dccview
