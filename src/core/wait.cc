#include "core/wait.h"

#include <algorithm>
#include <chrono>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#else
#include <condition_variable>

#include "dccview/lock_order.h"
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace dccview::detail {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t deadline_after_ns(std::int64_t timeout_ns) noexcept {
  const std::int64_t now = now_ns();
  if (timeout_ns >= kNoDeadline - now) return kNoDeadline;
  return now + std::max<std::int64_t>(timeout_ns, 0);
}

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

namespace {
std::atomic<int> g_spinners{0};
int max_spinners() noexcept {
  static const int value = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  return value;
}
}  // namespace

namespace {
bool try_take_slot() noexcept {
  if (g_spinners.fetch_add(1, std::memory_order_relaxed) < max_spinners()) return true;
  g_spinners.fetch_sub(1, std::memory_order_relaxed);
  return false;
}
}  // namespace

SpinSlot::SpinSlot() noexcept : granted_(try_take_slot()) {
  if (granted_) return;
  const std::int64_t end = now_ns() + kGraceNs;
  for (unsigned i = 1; !granted_; ++i) {
    cpu_relax();
    if (g_spinners.load(std::memory_order_relaxed) < max_spinners()) granted_ = try_take_slot();
    if (!granted_ && (i & 63) == 0 && now_ns() >= end) break;
  }
}
SpinSlot::~SpinSlot() {
  if (granted_) g_spinners.fetch_sub(1, std::memory_order_relaxed);
}

#if defined(__linux__)
// std::chrono::steady_clock is CLOCK_MONOTONIC on Linux, so deadlines convert directly.
void wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                  std::int64_t deadline_ns) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  timespec ts{};
  timespec* ts_ptr = nullptr;
  if (deadline_ns != kNoDeadline) {
    ts.tv_sec = static_cast<time_t>(deadline_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(deadline_ns % 1000000000);
    ts_ptr = &ts;
  }
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET_PRIVATE, expected,
          ts_ptr, nullptr, FUTEX_BITSET_MATCH_ANY);
}

void wake_word(std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}
#else
namespace {
struct Bucket {
  CheckedMutex mutex{"dccview.wait.bucket", LockLevel::kCallback, kLeaf};
  std::condition_variable_any cv;
};
Bucket& bucket_for(const void* address) {
  static Bucket buckets[64];
  return buckets[(reinterpret_cast<std::uintptr_t>(address) >> 4) % 64];
}
}  // namespace

void wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                  std::int64_t deadline_ns) noexcept {
  Bucket& bucket = bucket_for(&word);
  std::unique_lock<CheckedMutex> lock(bucket.mutex);
  if (word.load(std::memory_order_acquire) != expected) return;
  if (deadline_ns == kNoDeadline) {
    bucket.cv.wait(lock);
  } else {
    bucket.cv.wait_until(lock, std::chrono::steady_clock::time_point(
                                   std::chrono::nanoseconds(deadline_ns)));
  }
}

void wake_word(std::atomic<std::uint32_t>& word) noexcept {
  Bucket& bucket = bucket_for(&word);
  { CheckedLock lock(bucket.mutex); }
  bucket.cv.notify_all();
}
#endif

}  // namespace dccview::detail
