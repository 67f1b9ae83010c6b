#include "dccview/owned_loop.h"

#include <chrono>
#include <stdexcept>

#include "core/wait.h"
#include "dccview/dispatcher.h"

namespace dccview {

namespace {
constexpr std::uint32_t kIdle = 0, kWoken = 1, kSleeping = 2;
// How long an idle loop keeps looking for work before sleeping: answers back-to-back calls without
// a kernel wake-up (~60 us here) while keeping the idle cost at zero.
constexpr std::int64_t kIdleSpinNs = 50'000;
// Upper bound of one pump, so quit() is noticed even under a flood of posts.
constexpr auto kPumpBudget = std::chrono::milliseconds(10);
}  // namespace

void OwnedLoop::run() {
  Dispatcher& d = dispatcher();
  if (!d.is_main_thread()) throw std::logic_error("dccview: OwnedLoop::run called off its thread");
  if (running_.exchange(true, std::memory_order_acq_rel)) {
    throw std::logic_error("dccview: OwnedLoop::run called from inside itself");
  }
  while (!quit_.load(std::memory_order_acquire)) {
    if (d.pump(kPumpBudget).more_pending) continue;
    const bool busy = detail::spin_until(
        [&] {
          return d.has_pending() || quit_.load(std::memory_order_relaxed) ||
                 signal_.load(std::memory_order_relaxed) == kWoken;
        },
        kIdleSpinNs);
    if (!busy) sleep_until_woken();
    signal_.store(kIdle, std::memory_order_seq_cst);
  }
  running_.store(false, std::memory_order_release);
}

void OwnedLoop::sleep_until_woken() noexcept {
  std::uint32_t expected = kIdle;
  if (!signal_.compare_exchange_strong(expected, kSleeping, std::memory_order_seq_cst)) return;
  // Re-check after announcing the sleep: a post that raced with the announcement is seen here or
  // its wake() sees kSleeping.
  if (dispatcher().has_pending() || quit_.load(std::memory_order_seq_cst)) return;
  while (signal_.load(std::memory_order_seq_cst) == kSleeping) {
    detail::wait_on_word(signal_, kSleeping, detail::kNoDeadline);
  }
}

void OwnedLoop::wake() noexcept {
  if (signal_.exchange(kWoken, std::memory_order_seq_cst) == kSleeping) detail::wake_word(signal_);
}

void OwnedLoop::quit() noexcept {
  quit_.store(true, std::memory_order_seq_cst);
  wake();
}

}  // namespace dccview
