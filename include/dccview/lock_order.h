// dccview/lock_order.h: checked mutexes with the RFC's lock levels, verified at run time.
//
// Offers
//   LockLevel            the RFC's hierarchy (Global 1 .. Callback 5) plus the Python GIL (0, outermost).
//   LockOrderMode        off | report | throw | abort; set_lock_order_mode(), lock_order_mode().
//   CheckedMutex         a std::mutex with a name and a level (and optionally an order key).
//   CheckedSharedMutex   the same over std::shared_mutex.
//   CheckedLock / CheckedSharedLock   RAII guards that record where the lock was taken.
//   ExternalLock         tells the checker about a lock dccview does not own (the Python GIL).
//   assert_no_lock_held(what)         the RFC's pattern 2 check, before user code or a blocking wait.
//   ScopedAllowLockOrderViolation     a named, scoped escape hatch (never a global switch).
//
// Rules checked on every acquisition, before blocking (so a violation is reported instead of a hang):
//   1. Levels only increase: acquiring a level lower than or equal to a level already held by the
//      thread is a violation, except at the same level when both locks carry an explicit order key
//      and the new key is larger (lower key first).
//   2. Re-acquiring a lock the thread already holds (a certain self-deadlock) is a violation; it is
//      raised as DeadlockDetectedError in report mode too, since going on would hang for certain.
//   Leaf locks: a mutex declared leaf (kLeaf) promises that nothing is acquired and no user code runs
//   while it is held. It cannot close a cycle, so it may be taken under any lock; acquiring anything
//   while holding it is a violation. dccview's internal locks are leaves, so calling dccview while
//   holding a host lock never trips the checker.
//   3. Lock classes (all mutexes with one name form a class) are nodes of a process-wide order graph;
//      the first time both orders of two classes have been seen, on any threads, the inversion is
//      reported with both locks, both levels, both threads and both source locations, even if no
//      deadlock ever happened (keyed same-level pairs are ordered by key and stay out of the graph).
//   Release in any order is fine (hand-over-hand locking, moved guards).
//
// Modes: off costs one relaxed atomic load per acquisition and a member read per release. report logs
// each distinct violation once and goes on. throw raises DeadlockDetectedError (the lock is not
// taken). abort logs and calls std::abort(). The initial mode comes from DCCVIEW_LOCK_ORDER
// (off|report|throw|abort); without it, throw in debug builds and report in release builds.
// ThreadSafetyConfig::debug_lock_order feeds it through configure_lock_order() (the Dispatcher
// constructor calls it): true selects throw, false report, unless DCCVIEW_LOCK_ORDER is set or
// set_lock_order_mode() was called (an explicit choice wins).
//
// Thread-safety: every function and method here is thread-safe unless its comment says otherwise.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <source_location>
#include <utility>

#include "dccview/thread_annotations.h"

namespace dccview {

struct ThreadSafetyConfig;

enum class LockLevel : std::uint8_t {
  kPythonGil = 0,  // outermost: take it before any dccview lock, release it before waiting
  kGlobal = 1,
  kRegistry = 2,
  kResource = 3,
  kState = 4,
  kCallback = 5,  // innermost
};

enum class LockOrderMode : std::uint8_t { kOff, kReport, kThrow, kAbort };

// Tag for leaf locks (see above).
struct LeafLock {};
inline constexpr LeafLock kLeaf{};

// Thread-safe.
const char* to_string(LockLevel level) noexcept;
// Thread-safe.
const char* to_string(LockOrderMode mode) noexcept;

// Sets the mode; later configure_lock_order() calls no longer change it. Thread-safe.
void set_lock_order_mode(LockOrderMode mode) noexcept;
// Thread-safe.
LockOrderMode lock_order_mode() noexcept;
// Applies config.debug_lock_order (true: throw, false: report) unless DCCVIEW_LOCK_ORDER is set or
// set_lock_order_mode() was called. Thread-safe.
void configure_lock_order(const ThreadSafetyConfig& config) noexcept;

namespace detail {

extern std::atomic<LockOrderMode> g_lock_order_mode;

struct LockIdentity {
  const char* name;
  LockLevel level;
  bool has_key;
  bool leaf;
  std::uint64_t key;
  std::uint32_t class_id;  // one per distinct name
};

LockIdentity make_identity(const char* name, LockLevel level, bool has_key, std::uint64_t key,
                           bool leaf = false);

// For the checker's own lock only: its class id is fixed, since interning needs that very lock.
struct PreinternedLeaf {
  std::uint32_t class_id;
};
// Checks the rules for acquiring `id` on this thread; throws or aborts per the mode.
void check_acquire(const LockIdentity& id, const void* lock, std::source_location where);
// Records the acquisition on this thread (after the lock was taken).
void note_acquired(const LockIdentity& id, const void* lock, std::source_location where) noexcept;
// Forgets the acquisition (any order). No-op for a lock this thread does not have recorded.
void note_released(const void* lock) noexcept;

inline bool lock_order_enabled() noexcept {
  return g_lock_order_mode.load(std::memory_order_relaxed) != LockOrderMode::kOff;
}

}  // namespace detail

// A mutex with a place in the lock hierarchy. Satisfies Lockable, so std::unique_lock and
// std::condition_variable_any work with it; prefer CheckedLock, which records the caller's location
// (std::lock_guard records a location inside <mutex>).
class DCCVIEW_CAPABILITY("mutex") CheckedMutex {
 public:
  // `name` must outlive the mutex (a string literal). All mutexes with one name form one class.
  // The constructors are thread-safe (interning the class takes the checker's leaf lock).
  CheckedMutex(const char* name, LockLevel level)
      : identity_(detail::make_identity(name, level, false, 0)) {}
  // A keyed mutex may nest with others of its level that have keys: lower key first.
  CheckedMutex(const char* name, LockLevel level, std::uint64_t order_key)
      : identity_(detail::make_identity(name, level, true, order_key)) {}
  // A leaf mutex: nothing may be acquired, and no user code run, while it is held.
  CheckedMutex(const char* name, LockLevel level, LeafLock)
      : identity_(detail::make_identity(name, level, false, 0, true)) {}
  // Internal: the lock-order checker's own leaf lock.
  CheckedMutex(const char* name, LockLevel level, detail::PreinternedLeaf preinterned)
      : identity_{name, level, false, true, 0, preinterned.class_id} {}
  CheckedMutex(const CheckedMutex&) = delete;
  CheckedMutex& operator=(const CheckedMutex&) = delete;

  // Thread-safe; blocks until acquired; throws DeadlockDetectedError (lock not taken) in throw mode.
  void lock(std::source_location where = std::source_location::current()) DCCVIEW_ACQUIRE() {
    if (!detail::lock_order_enabled()) {
      mutex_.lock();
      return;
    }
    detail::check_acquire(identity_, this, where);
    mutex_.lock();
    detail::note_acquired(identity_, this, where);
    tracked_ = true;
  }

  // Thread-safe; never blocks. Trying cannot deadlock, so only rule 2 (already held) is checked.
  bool try_lock(std::source_location where = std::source_location::current()) DCCVIEW_TRY_ACQUIRE(true);

  // Owner thread only.
  void unlock() noexcept DCCVIEW_RELEASE() {
    if (tracked_) {
      tracked_ = false;
      detail::note_released(this);
    }
    mutex_.unlock();
  }

  // Thread-safe (immutable).
  const char* name() const noexcept { return identity_.name; }
  // Thread-safe (immutable).
  LockLevel level() const noexcept { return identity_.level; }

 private:
  std::mutex mutex_;
  const detail::LockIdentity identity_;
  bool tracked_ = false;  // written only by the owner while it holds mutex_
};

// A shared mutex with a place in the lock hierarchy; shared and exclusive holds follow the same rules.
class DCCVIEW_CAPABILITY("shared mutex") CheckedSharedMutex {
 public:
  // The constructors are thread-safe, as CheckedMutex's.
  CheckedSharedMutex(const char* name, LockLevel level)
      : identity_(detail::make_identity(name, level, false, 0)) {}
  CheckedSharedMutex(const char* name, LockLevel level, std::uint64_t order_key)
      : identity_(detail::make_identity(name, level, true, order_key)) {}
  CheckedSharedMutex(const CheckedSharedMutex&) = delete;
  CheckedSharedMutex& operator=(const CheckedSharedMutex&) = delete;

  // Thread-safe; blocks until acquired; throws DeadlockDetectedError in throw mode.
  void lock(std::source_location where = std::source_location::current()) DCCVIEW_ACQUIRE();
  // Thread-safe; never blocks.
  bool try_lock(std::source_location where = std::source_location::current()) DCCVIEW_TRY_ACQUIRE(true);
  // Owner thread only.
  void unlock() noexcept DCCVIEW_RELEASE();
  // Thread-safe; blocks until acquired; throws DeadlockDetectedError in throw mode.
  void lock_shared(std::source_location where = std::source_location::current()) DCCVIEW_ACQUIRE_SHARED();
  // Thread-safe; never blocks.
  bool try_lock_shared(std::source_location where = std::source_location::current())
      DCCVIEW_TRY_ACQUIRE_SHARED(true);
  // Holder thread only.
  void unlock_shared() noexcept DCCVIEW_RELEASE_SHARED();

  // Thread-safe (immutable).
  const char* name() const noexcept { return identity_.name; }
  // Thread-safe (immutable).
  LockLevel level() const noexcept { return identity_.level; }

 private:
  std::shared_mutex mutex_;
  const detail::LockIdentity identity_;
};

// RAII exclusive guard recording the caller's source location. Not thread-safe (one owner).
// The thread-safety analysis follows a guard for its scope; it does not follow moves (the moving
// members are left out of it).
template <class Mutex>
class DCCVIEW_SCOPED_CAPABILITY CheckedLock {
 public:
  explicit CheckedLock(Mutex& mutex, std::source_location where = std::source_location::current())
      DCCVIEW_ACQUIRE(mutex)
      : mutex_(&mutex) {
    mutex_->lock(where);
  }
  ~CheckedLock() DCCVIEW_RELEASE() {
    if (mutex_ != nullptr) mutex_->unlock();
  }
  CheckedLock(CheckedLock&& other) noexcept DCCVIEW_NO_THREAD_SAFETY_ANALYSIS
      : mutex_(std::exchange(other.mutex_, nullptr)) {}
  CheckedLock(const CheckedLock&) = delete;
  CheckedLock& operator=(const CheckedLock&) = delete;
  // Releases what this guard holds, then takes over `other`'s lock.
  CheckedLock& operator=(CheckedLock&& other) noexcept DCCVIEW_NO_THREAD_SAFETY_ANALYSIS {
    if (this != &other) {
      unlock();
      mutex_ = std::exchange(other.mutex_, nullptr);
    }
    return *this;
  }

  // Releases early. Owner thread only.
  void unlock() noexcept DCCVIEW_RELEASE() {
    if (mutex_ != nullptr) std::exchange(mutex_, nullptr)->unlock();
  }

 private:
  Mutex* mutex_;
};

// RAII shared guard for CheckedSharedMutex. Not thread-safe (one owner).
class DCCVIEW_SCOPED_CAPABILITY CheckedSharedLock {
 public:
  explicit CheckedSharedLock(CheckedSharedMutex& mutex,
                             std::source_location where = std::source_location::current())
      DCCVIEW_ACQUIRE_SHARED(mutex)
      : mutex_(&mutex) {
    mutex_->lock_shared(where);
  }
  ~CheckedSharedLock() DCCVIEW_RELEASE() {
    if (mutex_ != nullptr) mutex_->unlock_shared();
  }
  CheckedSharedLock(const CheckedSharedLock&) = delete;
  CheckedSharedLock& operator=(const CheckedSharedLock&) = delete;

 private:
  CheckedSharedMutex* mutex_;
};

// A lock dccview does not own but must know about, such as the Python GIL: the owner of that lock
// reports its acquisitions and releases so the rules above see it.
class ExternalLock {
 public:
  // Thread-safe.
  ExternalLock(const char* name, LockLevel level)
      : identity_(detail::make_identity(name, level, false, 0)) {}
  // Call before taking the real lock; throws DeadlockDetectedError in throw mode. Thread-safe.
  void check_acquire(std::source_location where = std::source_location::current()) const;
  // Call after taking the real lock. Thread-safe (records for the calling thread).
  void note_acquired(std::source_location where = std::source_location::current()) const noexcept;
  // Call when releasing the real lock. Thread-safe (forgets for the calling thread).
  void note_released() const noexcept { detail::note_released(this); }

 private:
  const detail::LockIdentity identity_;
};

// True when the calling thread holds any checked lock (the GIL level excluded). Thread-safe.
bool holds_checked_lock() noexcept;

// The RFC's pattern 2: call before running user code or before a blocking wait on another thread.
// A violation (a checked lock other than the GIL is held) is handled per the mode; in throw mode it
// raises DeadlockDetectedError naming `what` and the locks held. Thread-safe.
void assert_no_lock_held(const char* what,
                         std::source_location where = std::source_location::current());

// Within its scope, violations on this thread are logged at debug level with `reason` instead of
// being reported, thrown or aborting. Name the reason; keep the scope small. Not thread-safe (one
// thread's scope).
class ScopedAllowLockOrderViolation {
 public:
  explicit ScopedAllowLockOrderViolation(const char* reason) noexcept;
  ~ScopedAllowLockOrderViolation();
  ScopedAllowLockOrderViolation(const ScopedAllowLockOrderViolation&) = delete;
  ScopedAllowLockOrderViolation& operator=(const ScopedAllowLockOrderViolation&) = delete;

 private:
  const char* previous_;
};

}  // namespace dccview
