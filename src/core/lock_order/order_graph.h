// src/core/lock_order/order_graph.h: lock classes and the process-wide order graph (internal).
#pragma once

#include <pthread.h>

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>

#include "dccview/lock_order.h"

namespace dccview::detail {

// Marks the calling thread as inside the checker for its lifetime: acquisitions made by the checker
// itself (its graph lock) are not checked again, so it never recurses into itself.
class CheckerScope {
 public:
  CheckerScope() noexcept;
  ~CheckerScope();
  CheckerScope(const CheckerScope&) = delete;
  CheckerScope& operator=(const CheckerScope&) = delete;
};
bool inside_checker() noexcept;

// Returns the class id of `name` (ids start at 1), creating it on first use. Thread-safe.
std::uint32_t intern_lock_class(const char* name);

struct EdgeSite {
  std::string thread;  // description of the thread that took the locks in this order
  std::source_location held_at;
  std::source_location acquired_at;
};

// Records "a lock of class `from` was held while one of class `to` was acquired". If the opposite
// order was seen before (directly or through other classes), returns the report of the inversion,
// once per pair of classes. Thread-safe; never calls user code while holding its lock.
std::optional<std::string> record_order(const LockIdentity& from, const LockIdentity& to,
                                        const EdgeSite& site);

// True the first time `key` is seen in this process (deduplicates reports). Thread-safe.
bool first_report(const std::string& key);

// "'name' (level 4, state)"
std::string describe_lock(const LockIdentity& id);
// "file:line"
std::string describe_site(const std::source_location& where);
// "thread 'name' (tid 1234)" for `thread`, whose kernel thread id is `tid`.
std::string describe_thread(pthread_t thread, long tid);
// describe_thread() for the calling thread.
std::string describe_current_thread();

}  // namespace dccview::detail
