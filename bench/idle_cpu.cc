// idle_cpu: how much CPU an owned loop with nothing to do burns (it should sleep in the kernel).
#include <pthread.h>
#include <time.h>

#include <thread>

#include "benchmarks.h"
#include "core/wait.h"
#include "dccview/dispatcher.h"
#include "owned_loop_thread.h"

namespace dccview::bench {

namespace {
double thread_cpu_ms(pthread_t thread) {
  clockid_t clock;
  pthread_getcpuclockid(thread, &clock);
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
}  // namespace

void run_idle_cpu(const Options& options, Report& report) {
  OwnedLoopThread loop;
  loop.dispatcher().call([] {});  // the loop has run at least once
  const auto window = options.quick ? std::chrono::seconds(1) : std::chrono::seconds(2);
  const double cpu0 = thread_cpu_ms(loop.native_handle());
  const std::int64_t t0 = detail::now_ns();
  std::this_thread::sleep_for(window);
  const double cpu_ms = thread_cpu_ms(loop.native_handle()) - cpu0;
  const double wall_ms = static_cast<double>(detail::now_ns() - t0) / 1e6;
  report.add(Row{"idle_cpu", "dccview", {{"cpu_percent", 100.0 * cpu_ms / wall_ms},
                                         {"seconds", wall_ms / 1e3}}});
}

}  // namespace dccview::bench
