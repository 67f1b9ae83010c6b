// lock_pair: one uncontended lock + unlock, in nanoseconds: std::mutex against CheckedMutex with the
// checker off and in report mode (the thread holds no other lock, the common case).
#include <mutex>

#include "benchmarks.h"
#include "core/wait.h"
#include "dccview/lock_order.h"

namespace dccview::bench {

namespace {
template <class Mutex>
double ns_per_pair(Mutex& mutex, long iterations) {
  for (long i = 0; i < iterations / 10; ++i) {  // warm-up
    mutex.lock();
    mutex.unlock();
  }
  const std::int64_t t0 = detail::now_ns();
  for (long i = 0; i < iterations; ++i) {
    mutex.lock();
    mutex.unlock();
  }
  return static_cast<double>(detail::now_ns() - t0) / static_cast<double>(iterations);
}

// Best of several rounds: the figure is a floor, so the minimum is the least noisy estimate.
template <class Mutex>
double best_of(Mutex& mutex, long iterations) {
  double best = 1e9;
  for (int round = 0; round < 5; ++round) best = std::min(best, ns_per_pair(mutex, iterations));
  return best;
}
}  // namespace

void run_lock_pair(const Options& options, Report& report) {
  const long iterations = options.quick ? 2'000'000 : 10'000'000;
  const LockOrderMode saved = lock_order_mode();
  std::mutex plain;
  CheckedMutex checked("bench.lock_pair", LockLevel::kState);
  report.add(Row{"lock_pair", "std_mutex", {{"ns", best_of(plain, iterations)}}});
  set_lock_order_mode(LockOrderMode::kOff);
  report.add(Row{"lock_pair", "checked_off", {{"ns", best_of(checked, iterations)}}});
  set_lock_order_mode(LockOrderMode::kReport);
  report.add(Row{"lock_pair", "checked_report", {{"ns", best_of(checked, iterations)}}});
  set_lock_order_mode(saved);
}

}  // namespace dccview::bench
