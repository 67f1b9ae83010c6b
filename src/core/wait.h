// src/core/wait.h: low-level waiting primitives (internal).
//
// A futex-style "wait while the word still holds this value" and "wake the waiters of this word", a
// monotonic clock in nanoseconds, and a bounded spin helper. On Linux they map to futex(2); elsewhere
// to a small table of mutex/condition-variable buckets keyed by address.
#pragma once

#include <atomic>
#include <cstdint>

namespace dccview::detail {

// steady_clock now, in nanoseconds.
std::int64_t now_ns() noexcept;

// Sentinel deadline: wait forever.
inline constexpr std::int64_t kNoDeadline = INT64_MAX;

// Deadline `timeout_ns` from now, saturating at kNoDeadline.
std::int64_t deadline_after_ns(std::int64_t timeout_ns) noexcept;

// Blocks while word == expected, until woken, spuriously, or until deadline_ns passes.
void wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                  std::int64_t deadline_ns) noexcept;

// Wakes every thread blocked in wait_on_word(word, ...).
void wake_word(std::atomic<std::uint32_t>& word) noexcept;

// One iteration of a polite busy-wait (PAUSE on x86).
void cpu_relax() noexcept;

// Spins until pred() is true or max_ns elapsed; returns pred()'s last value. Spins only while few
// other threads spin (never more spinners than cores minus one), so oversubscribed machines fall
// back to sleeping at once.
template <class Pred>
bool spin_until(Pred pred, std::int64_t max_ns) noexcept;

class SpinSlot {
 public:
  // Waits up to kGraceNs for a slot: the thread holding the last one is often a waiter that is about
  // to see its answer and leave (a loop that just finished a call, and its caller).
  static constexpr std::int64_t kGraceNs = 5000;
  SpinSlot() noexcept;
  ~SpinSlot();
  explicit operator bool() const noexcept { return granted_; }

 private:
  bool granted_;
};

template <class Pred>
bool spin_until(Pred pred, std::int64_t max_ns) noexcept {
  if (pred()) return true;
  SpinSlot slot;
  if (!slot) return false;
  const std::int64_t end = now_ns() + max_ns;
  for (unsigned i = 1;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if ((i & 63) == 0 && now_ns() >= end) return pred();
  }
}

}  // namespace dccview::detail
