// The per-thread half of the lock-order checker: which checked locks this thread holds, the rules
// applied on every acquisition, and what a violation does in each mode.
#include <cstdlib>
#include <string>

#include "core/lock_order/order_graph.h"
#include "dccview/config.h"
#include "dccview/errors.h"
#include "dccview/lock_order.h"
#include "dccview/log.h"

namespace dccview {

namespace detail {

namespace {

LockOrderMode parse_mode(const char* text, LockOrderMode fallback) noexcept {
  if (text == nullptr) return fallback;
  const std::string value(text);
  for (auto mode : {LockOrderMode::kOff, LockOrderMode::kReport, LockOrderMode::kThrow,
                    LockOrderMode::kAbort}) {
    if (value == to_string(mode)) return mode;
  }
  return fallback;
}

LockOrderMode default_mode() noexcept {
  return kDebugBuild ? LockOrderMode::kThrow : LockOrderMode::kReport;
}

constexpr int kMaxHeld = 32;
constexpr int kEdgeCacheSize = 64;

struct Held {
  const void* lock;
  const LockIdentity* id;
  std::source_location where;
};

// Zero-initialized, trivially destructible: usable at any point of a thread's life, even while other
// thread_local objects are being destroyed.
struct ThreadLocks {
  Held held[kMaxHeld];
  int count;         // may exceed kMaxHeld: deeper locks are counted, not checked
  const char* allow_reason;
  std::uint64_t edge_cache[kEdgeCacheSize];  // (from << 32 | to) pairs already in the graph
};

thread_local ThreadLocks t_locks;
thread_local int t_inside_checker = 0;

int tracked_count() noexcept { return t_locks.count < kMaxHeld ? t_locks.count : kMaxHeld; }

bool edge_known(std::uint64_t key) noexcept {
  return t_locks.edge_cache[key % kEdgeCacheSize] == key;
}
void remember_edge(std::uint64_t key) noexcept { t_locks.edge_cache[key % kEdgeCacheSize] = key; }

// What a violation does, per mode. `key` deduplicates reports.
void handle_violation(const std::string& key, const std::string& message) {
  if (t_locks.allow_reason != nullptr) {
    log(LogLevel::kDebug, message + " (allowed here: " + t_locks.allow_reason + ")");
    return;
  }
  switch (g_lock_order_mode.load(std::memory_order_relaxed)) {
    case LockOrderMode::kOff: return;
    case LockOrderMode::kReport:
      if (key.empty() || first_report(key)) log(LogLevel::kError, message);
      return;
    case LockOrderMode::kThrow: throw DeadlockDetectedError(message);
    case LockOrderMode::kAbort:
      log(LogLevel::kError, message + " (DCCVIEW_LOCK_ORDER=abort)");
      std::abort();
  }
}

// Re-acquiring a held non-recursive mutex hangs for certain: thrown even in report mode.
void report_self_deadlock(const Held& held, const LockIdentity& id, std::source_location where) {
  const std::string message = "lock order violation: " + describe_current_thread() +
                              " acquires " + describe_lock(id) + " at " + describe_site(where) +
                              " which it already holds (taken at " + describe_site(held.where) +
                              "): this would deadlock";
  if (t_locks.allow_reason == nullptr &&
      g_lock_order_mode.load(std::memory_order_relaxed) == LockOrderMode::kReport) {
    log(LogLevel::kError, message);
    throw DeadlockDetectedError(message);
  }
  handle_violation("self:" + std::to_string(id.class_id), message);
}

// Adds held -> next to the order graph (once per thread and pair) and reports an inversion.
void record_edge(const Held& held, const LockIdentity& next, std::source_location where) {
  const bool keyed_pair = held.id->level == next.level && held.id->has_key && next.has_key;
  if (keyed_pair || held.id->class_id == next.class_id) return;
  const std::uint64_t edge = (std::uint64_t{held.id->class_id} << 32) | next.class_id;
  if (edge_known(edge)) return;
  auto inversion = record_order(*held.id, next, {describe_current_thread(), held.where, where});
  remember_edge(edge);
  if (inversion) handle_violation("", *inversion);  // record_order reports each pair once
}

bool levels_allow(const LockIdentity& held, const LockIdentity& next) noexcept {
  if (held.level < next.level) return true;
  return held.level == next.level && held.has_key && next.has_key && held.key < next.key;
}

std::string level_message(const Held& held, const LockIdentity& next, std::source_location where) {
  return "lock order violation: " + describe_current_thread() + " acquires " + describe_lock(next) +
         " at " + describe_site(where) + " while holding " + describe_lock(*held.id) + " taken at " +
         describe_site(held.where) +
         "; levels must increase (same level only with order keys, lower key first)";
}

}  // namespace

std::atomic<LockOrderMode> g_lock_order_mode{
    parse_mode(std::getenv("DCCVIEW_LOCK_ORDER"), default_mode())};

LockIdentity make_identity(const char* name, LockLevel level, bool has_key, std::uint64_t key,
                           bool leaf) {
  return LockIdentity{name, level, has_key, leaf, key, intern_lock_class(name)};
}

CheckerScope::CheckerScope() noexcept { ++t_inside_checker; }
CheckerScope::~CheckerScope() { --t_inside_checker; }
bool inside_checker() noexcept { return t_inside_checker > 0; }

void check_acquire(const LockIdentity& id, const void* lock, std::source_location where) {
  if (inside_checker()) return;
  std::string violation_key, violation;
  for (int i = tracked_count() - 1; i >= 0; --i) {
    const Held& held = t_locks.held[i];
    if (held.lock == lock) {
      report_self_deadlock(held, id, where);
      return;
    }
    if (held.id->leaf) {
      violation_key = "leaf:" + std::to_string(held.id->class_id) + ":" + std::to_string(id.class_id);
      violation = "lock order violation: " + describe_current_thread() + " acquires " +
                  describe_lock(id) + " at " + describe_site(where) + " while holding leaf lock " +
                  describe_lock(*held.id) + " taken at " + describe_site(held.where);
      break;
    }
    if (id.leaf) continue;  // a leaf cannot close a cycle
    record_edge(held, id, where);
    if (violation.empty() && !levels_allow(*held.id, id)) {
      violation_key = "level:" + std::to_string(held.id->class_id) + ":" + std::to_string(id.class_id);
      violation = level_message(held, id, where);
    }
  }
  if (!violation.empty()) handle_violation(violation_key, violation);
}

void note_acquired(const LockIdentity& id, const void* lock, std::source_location where) noexcept {
  if (inside_checker()) return;
  if (t_locks.count < kMaxHeld) t_locks.held[t_locks.count] = Held{lock, &id, where};
  ++t_locks.count;
}

void note_released(const void* lock) noexcept {
  if (t_locks.count == 0) return;
  for (int i = tracked_count() - 1; i >= 0; --i) {
    if (t_locks.held[i].lock != lock) continue;
    for (int j = i; j + 1 < tracked_count(); ++j) t_locks.held[j] = t_locks.held[j + 1];
    --t_locks.count;
    return;
  }
  if (t_locks.count > kMaxHeld) --t_locks.count;  // an untracked deeper lock
}

}  // namespace detail

const char* to_string(LockLevel level) noexcept {
  switch (level) {
    case LockLevel::kPythonGil: return "python_gil";
    case LockLevel::kGlobal: return "global";
    case LockLevel::kRegistry: return "registry";
    case LockLevel::kResource: return "resource";
    case LockLevel::kState: return "state";
    case LockLevel::kCallback: return "callback";
  }
  return "unknown";
}

const char* to_string(LockOrderMode mode) noexcept {
  switch (mode) {
    case LockOrderMode::kOff: return "off";
    case LockOrderMode::kReport: return "report";
    case LockOrderMode::kThrow: return "throw";
    case LockOrderMode::kAbort: return "abort";
  }
  return "unknown";
}

namespace {
std::atomic<bool> g_mode_set_explicitly{false};
}  // namespace

void set_lock_order_mode(LockOrderMode mode) noexcept {
  g_mode_set_explicitly.store(true, std::memory_order_relaxed);
  detail::g_lock_order_mode.store(mode, std::memory_order_relaxed);
}

LockOrderMode lock_order_mode() noexcept {
  return detail::g_lock_order_mode.load(std::memory_order_relaxed);
}

void configure_lock_order(const ThreadSafetyConfig& config) noexcept {
  if (std::getenv("DCCVIEW_LOCK_ORDER") != nullptr) return;
  if (g_mode_set_explicitly.load(std::memory_order_relaxed)) return;
  detail::g_lock_order_mode.store(
      config.debug_lock_order ? LockOrderMode::kThrow : LockOrderMode::kReport,
      std::memory_order_relaxed);
}

bool holds_checked_lock() noexcept {
  for (int i = 0; i < detail::tracked_count(); ++i) {
    if (detail::t_locks.held[i].id->level != LockLevel::kPythonGil) return true;
  }
  return detail::t_locks.count > detail::kMaxHeld;
}

void assert_no_lock_held(const char* what, std::source_location where) {
  if (!detail::lock_order_enabled() || !holds_checked_lock()) return;
  std::string held;
  for (int i = 0; i < detail::tracked_count(); ++i) {
    const auto& h = detail::t_locks.held[i];
    if (h.id->level == LockLevel::kPythonGil) continue;
    held += (held.empty() ? "" : ", ") + detail::describe_lock(*h.id) + " taken at " +
            detail::describe_site(h.where);
  }
  detail::handle_violation(
      std::string("held:") + what + ":" + detail::describe_site(where),
      std::string("lock held across ") + what + ": " + detail::describe_current_thread() +
          " at " + detail::describe_site(where) + " holds " + held +
          "; running user code or waiting on another thread under a lock can deadlock (RFC "
          "pattern 2)");
}

ScopedAllowLockOrderViolation::ScopedAllowLockOrderViolation(const char* reason) noexcept
    : previous_(std::exchange(detail::t_locks.allow_reason, reason)) {}

ScopedAllowLockOrderViolation::~ScopedAllowLockOrderViolation() {
  detail::t_locks.allow_reason = previous_;
}

}  // namespace dccview
