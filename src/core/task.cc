#include "dccview/detail/task.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "core/wait.h"
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
  if (word_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) wake_word(word_);
}

bool Completion::wait_until(std::int64_t deadline_ns) noexcept {
  if (spin_until([this] { return is_set(); }, kCallerSpinNs)) return true;
  std::uint32_t expected = kPending;
  if (!word_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) {
    return expected == kDone;
  }
  while (!is_set()) {
    if (now_ns() >= deadline_ns) return false;
    wait_on_word(word_, kSleeping, deadline_ns);
  }
  return true;
}

bool CallTaskBase::try_start() noexcept {
  std::uint8_t expected = kQueued;
  return state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel);
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

bool CallTaskBase::run() noexcept {
  bool ok = true;
  try {
    invoke();
  } catch (...) {
    exception_ = std::current_exception();
    outcome_ = ErrorCode::kTaskFailed;
    ok = false;
  }
  completion_.set();
  release();
  return ok;
}

void CallTaskBase::discard(Fate fate) noexcept {
  // A cancelled call was already answered by whoever cancelled it. A live one being destroyed by
  // teardown (try_start() succeeded) is answered here.
  if (fate == Fate::kDestroyed) {
    outcome_ = ErrorCode::kShutdown;
    completion_.set();
  }
  release();
}

void CallTaskBase::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace dccview::detail
