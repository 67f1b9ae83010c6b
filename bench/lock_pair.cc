// lock_pair: one uncontended lock + unlock, in nanoseconds: std::mutex against CheckedMutex with the
// checker off and in report mode (the thread holds no other lock, the common case).
#include <algorithm>
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

}  // namespace

void run_lock_pair(const Options& options, Report& report) {
  const long iterations = options.quick ? 2'000'000 : 10'000'000;
  const LockOrderMode saved = lock_order_mode();
  std::mutex plain;
  CheckedMutex checked("bench.lock_pair", LockLevel::kState);
  // Rounds alternate between the three so that drift on a shared machine hits all of them; the best
  // round of each is its figure (a floor, the least noisy estimate).
  double best_plain = 1e9, best_off = 1e9, best_report = 1e9;
  for (int round = 0; round < 7; ++round) {
    best_plain = std::min(best_plain, ns_per_pair(plain, iterations));
    set_lock_order_mode(LockOrderMode::kOff);
    best_off = std::min(best_off, ns_per_pair(checked, iterations));
    set_lock_order_mode(LockOrderMode::kReport);
    best_report = std::min(best_report, ns_per_pair(checked, iterations));
  }
  report.add(Row{"lock_pair", "std_mutex", {{"ns", best_plain}}});
  report.add(Row{"lock_pair", "checked_off", {{"ns", best_off}}});
  report.add(Row{"lock_pair", "checked_report", {{"ns", best_report}}});
  set_lock_order_mode(saved);
}

}  // namespace dccview::bench
