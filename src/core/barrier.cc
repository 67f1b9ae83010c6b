#include "core/barrier.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dccview::detail {

#if defined(__SANITIZE_THREAD__)
std::atomic<int> g_fence_word{0};
#endif

namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

long membarrier(int command) noexcept { return syscall(SYS_membarrier, command, 0, 0); }

bool register_membarrier() noexcept {
  if (kSanitized) return false;
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

// A function-local static: every thread sees the same decision, and none before it is made.
bool membarrier_available() noexcept {
  static const bool available = register_membarrier();
  return available;
}

// Once registered, the expedited command only fails on invalid arguments.
void heavy_barrier() noexcept {
  if (membarrier_available() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  full_fence();
}

}  // namespace dccview::detail
