// Asymmetric memory barriers: a cheap side for a hot path and an expensive side for a rare one.
//
// A store-then-load handshake (a producer announces a push, then checks the shutdown flag; shutdown
// sets the flag, then checks for pushes in progress) needs a full fence on both sides. On Linux,
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) lets the rare side pay for both: it makes every
// running thread of the process execute a full barrier, so the hot side needs only to stop the
// compiler from reordering. Where membarrier is unavailable, and under the sanitizers (which do
// not model it), both sides are ordinary sequentially consistent fences.
#pragma once

#include <atomic>

namespace dccview::detail {

// A full fence both sides of a handshake can use. ThreadSanitizer does not model fences: there it
// is a read-modify-write of one shared word, which orders the two sides just as well.
#if defined(__SANITIZE_THREAD__)
extern std::atomic<int> g_fence_word;
inline void full_fence() noexcept { g_fence_word.fetch_add(0, std::memory_order_seq_cst); }
#else
inline void full_fence() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

// True when heavy_barrier() uses membarrier. Decided once per process. Thread-safe.
bool membarrier_available() noexcept;

// The hot side: orders this thread's earlier stores before its later loads, as seen by a thread
// that calls heavy_barrier(). Thread-safe.
inline void light_barrier() noexcept {
  if (membarrier_available()) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    full_fence();
  }
}

// The rare side: a full barrier in every running thread of the process. A system call (a few
// microseconds, ten in a virtual machine) when membarrier is used. Thread-safe.
void heavy_barrier() noexcept;

}  // namespace dccview::detail
