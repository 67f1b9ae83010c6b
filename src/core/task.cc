#include "dccview/detail/task.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "core/wait.h"
#include "dccview/dispatcher.h"
#include "dccview/log.h"

namespace dccview::detail {

namespace {
// How long a caller spins before sleeping in the kernel: long enough to catch a loop that answers
// at once (a sleeping wake-up costs ~60 us here, see docs/performance.md), short next to any real
// task.
constexpr std::int64_t kCallerSpinNs = 20'000;
}  // namespace

std::string type_label(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

void report_escaped_exception(std::string_view label) noexcept {
  try {
    std::string message = "task '" + std::string(label) + "' threw ";
    try {
      throw;
    } catch (const std::exception& e) {
      message += type_label(typeid(e)) + ": " + e.what();
    } catch (...) {
      message += "a non-std::exception object";
    }
    message += " (fire-and-forget: nobody waits for it, so it is reported here)";
    log(LogLevel::kError, message);
  } catch (...) {
    log(LogLevel::kError, "a fire-and-forget task threw and the report could not be built");
  }
}

void Completion::set() noexcept {
  if (word_.fetch_or(kDone, std::memory_order_acq_rel) & kSleeping) wake_word(word_);
}

void Completion::poke() noexcept {
  if (word_.fetch_or(kPoked, std::memory_order_acq_rel) & kSleeping) wake_word(word_);
}

Completion::Wake Completion::wait_until(std::int64_t deadline_ns, bool accept_pokes) noexcept {
  const auto ready = [accept_pokes](std::uint32_t w) {
    return (w & kDone) != 0 || (accept_pokes && (w & kPoked) != 0);
  };
  const auto consume = [this] {
    if (is_set()) return Wake::kDone;
    word_.fetch_and(~kPoked, std::memory_order_acq_rel);
    return Wake::kPoked;
  };
  if (spin_until([&] { return ready(word_.load(std::memory_order_acquire)); }, kCallerSpinNs)) {
    return consume();
  }
  for (;;) {
    std::uint32_t w = word_.load(std::memory_order_acquire);
    if (ready(w)) return consume();
    if (now_ns() >= deadline_ns) return Wake::kTimeout;
    if ((w & kSleeping) == 0) {
      if (!word_.compare_exchange_weak(w, w | kSleeping, std::memory_order_acq_rel)) continue;
      w |= kSleeping;
    }
    wait_on_word(word_, w, deadline_ns);
  }
}

Start CallTaskBase::try_start() noexcept {
  std::uint8_t state = kQueued;
  if (state_.compare_exchange_strong(state, kRunning, std::memory_order_acq_rel)) return Start::kRun;
  return state == kServed ? Start::kServedElsewhere : Start::kCancelled;
}

bool CallTaskBase::claim_for_serving() noexcept {
  if (!admitted_.load(std::memory_order_acquire)) return false;
  std::uint8_t expected = kQueued;
  if (!state_.compare_exchange_strong(expected, kServed, std::memory_order_acq_rel)) return false;
  refs_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool CallTaskBase::serve() noexcept {
  const bool ok = execute();
  release();  // the serving reference; the queue's is released when the node is popped
  return ok;
}

bool CallTaskBase::cancel() noexcept {
  std::uint8_t expected = kQueued;
  return state_.compare_exchange_strong(expected, kCancelled, std::memory_order_acq_rel);
}

bool CallTaskBase::cancel_for_shutdown() noexcept {
  if (!cancel()) return false;
  outcome_ = ErrorCode::kShutdown;
  completion_.set();
  return true;
}

bool CallTaskBase::execute() noexcept {
  bool ok = true;
  try {
    invoke();
  } catch (...) {
    exception_ = std::current_exception();
    outcome_ = ErrorCode::kTaskFailed;
    ok = false;
  }
  completion_.set();
  after_execute();
  return ok;
}

bool CallTaskBase::run() noexcept {
  const bool ok = execute();
  release();
  return ok;
}

void CallTaskBase::discard(Fate fate) noexcept {
  // A cancelled or served call was already answered. A live one being destroyed by teardown
  // (try_start() succeeded) is answered here.
  if (fate == Fate::kDestroyed) {
    outcome_ = ErrorCode::kShutdown;
    completion_.set();
  }
  release();
}

void CallTaskBase::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void ServableTaskBase::after_execute() noexcept {
  if (outcome() == ErrorCode::kTaskFailed) {
    try {
      std::rethrow_exception(take_exception());
    } catch (...) {
      report_escaped_exception(describe());
    }
  }
  leave_registry();
}

void ServableTaskBase::discard(Fate fate) noexcept {
  if (fate != Fate::kServedElsewhere) leave_registry();  // served: after_execute() left already
  CallTaskBase::discard(fate);
}

void ServableTaskBase::leave_registry() noexcept {
  if (left_.exchange(true, std::memory_order_acq_rel)) return;
  owner_->unregister_waiter(*this);
  release();  // the registry's reference
}

}  // namespace dccview::detail
