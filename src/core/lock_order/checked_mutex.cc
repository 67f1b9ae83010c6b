// The out-of-line parts of the checked lock types.
#include "dccview/lock_order.h"

namespace dccview {

namespace {
// try_lock cannot deadlock, so levels are not enforced; re-acquiring a held lock still is an error.
template <class TryLock>
bool checked_try(const detail::LockIdentity& id, const void* lock, std::source_location where,
                 TryLock try_lock) {
  if (!detail::lock_order_enabled()) return try_lock();
  if (!try_lock()) return false;
  detail::note_acquired(id, lock, where);
  return true;
}

// Blocking acquisition: the rules are checked before blocking, the hold recorded after.
template <class Acquire>
void checked_blocking(const detail::LockIdentity& id, const void* lock, std::source_location where,
                      Acquire acquire) {
  const bool enabled = detail::lock_order_enabled();
  if (enabled) detail::check_acquire(id, lock, where);
  acquire();
  if (enabled) detail::note_acquired(id, lock, where);
}
}  // namespace

bool CheckedMutex::try_lock(std::source_location where) {
  const bool acquired = checked_try(identity_, this, where, [this] { return mutex_.try_lock(); });
  if (acquired && detail::lock_order_enabled()) tracked_ = true;
  return acquired;
}

void CheckedSharedMutex::lock(std::source_location where) {
  checked_blocking(identity_, this, where, [this] { mutex_.lock(); });
}

bool CheckedSharedMutex::try_lock(std::source_location where) {
  return checked_try(identity_, this, where, [this] { return mutex_.try_lock(); });
}

void CheckedSharedMutex::unlock() noexcept {
  detail::note_released(this);
  mutex_.unlock();
}

void CheckedSharedMutex::lock_shared(std::source_location where) {
  checked_blocking(identity_, this, where, [this] { mutex_.lock_shared(); });
}

bool CheckedSharedMutex::try_lock_shared(std::source_location where) {
  return checked_try(identity_, this, where, [this] { return mutex_.try_lock_shared(); });
}

void CheckedSharedMutex::unlock_shared() noexcept {
  detail::note_released(this);
  mutex_.unlock_shared();
}

void ExternalLock::check_acquire(std::source_location where) const {
  if (detail::lock_order_enabled()) detail::check_acquire(identity_, this, where);
}

void ExternalLock::note_acquired(std::source_location where) const noexcept {
  if (detail::lock_order_enabled()) detail::note_acquired(identity_, this, where);
}

}  // namespace dccview
