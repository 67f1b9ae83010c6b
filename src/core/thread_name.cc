// See thread_name.h. Linux only for now; elsewhere the OS keeps its own name for the thread.
#include "core/thread_name.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace dccview::detail {

void set_current_thread_name(const std::string& name) noexcept {
#if defined(__linux__)
  constexpr std::size_t kLinuxMax = 15;  // 16 bytes with the terminating NUL
  pthread_setname_np(pthread_self(), name.substr(0, kLinuxMax).c_str());
#else
  (void)name;
#endif
}

}  // namespace dccview::detail
