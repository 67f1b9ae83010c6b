// dccview/config.h: ThreadSafetyConfig, the RFC's tunables ("Rust-Side Timeout Configuration").
//
// Every field is read by dccview:
//   js_eval_timeout_ms      default timeout of eval_js_sync / eval_js_async (WebView layer).
//   main_thread_timeout_ms  default timeout of Dispatcher::call / try_call (run_on_main_thread_sync).
//   max_retries             how many times Dispatcher::call retries admission into a full bounded
//                           queue before it reports kQueueFull (post never retries: it never blocks
//                           under the reject policy).
//   retry_delay_ms          the pause between those retries.
//   debug_lock_order        turns lock-order verification on (see docs/deadlocks.md).
//
// Thread-safety: a plain value type; copy it freely. Objects that take a config copy it.
#pragma once

#include <chrono>
#include <cstdint>

namespace dccview {

#ifdef NDEBUG
inline constexpr bool kDebugBuild = false;
#else
inline constexpr bool kDebugBuild = true;
#endif

struct ThreadSafetyConfig {
  std::uint64_t js_eval_timeout_ms = 5000;
  std::uint64_t main_thread_timeout_ms = 30000;
  std::uint32_t max_retries = 3;
  std::uint64_t retry_delay_ms = 100;
  bool debug_lock_order = kDebugBuild;

  std::chrono::milliseconds js_eval_timeout() const {
    return std::chrono::milliseconds(js_eval_timeout_ms);
  }
  std::chrono::milliseconds main_thread_timeout() const {
    return std::chrono::milliseconds(main_thread_timeout_ms);
  }
  std::chrono::milliseconds retry_delay() const { return std::chrono::milliseconds(retry_delay_ms); }
};

}  // namespace dccview
