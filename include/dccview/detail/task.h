// dccview/detail/task.h: the type-erased task nodes that travel through a TaskQueue.
// Internal: included by public templates; not an API. Names here may change without notice.
//
// A node is allocated by the posting thread, queued by pointer and finished by the consumer thread
// in exactly one of three ways:
//   run()                     the consumer ran it;
//   discard(kCancelled)       it was cancelled (timeout or shutdown) before it started;
//   discard(kDestroyed)       the queue was torn down before it ran.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "dccview/errors.h"

namespace dccview {
class Dispatcher;
}

namespace dccview::detail {

enum class Fate : std::uint8_t { kRun, kCancelled, kDestroyed, kServedElsewhere };

// What the consumer may do with a node it popped.
enum class Start : std::uint8_t {
  kRun,              // run it now
  kCancelled,        // cancelled before it started: discard, count as cancelled
  kServedElsewhere,  // a waiting loop thread already ran it (see CallTaskBase): discard, not counted
};

// Human-readable name of a callable's type (demangled), used when a task has no label.
std::string type_label(const std::type_info& type);

// Logs an exception that escaped a fire-and-forget task. Called inside a catch block.
void report_escaped_exception(std::string_view label) noexcept;

// Protected and virtual on purpose: nothing outside deletes through TaskNode*, while intermediate
// bases delete themselves (CallTaskBase::release) as whatever final type they are.
class TaskNode {  // NOLINT(cppcoreguidelines-virtual-class-destructor)
 public:
  TaskNode(const TaskNode&) = delete;
  TaskNode& operator=(const TaskNode&) = delete;

  // Consumer thread: moves the node from queued to running, or says why it must not run.
  virtual Start try_start() noexcept { return Start::kRun; }
  // Consumer thread, after try_start() succeeded: runs the task and releases the queue's reference.
  // Returns false when the task threw (a post's exception is reported; a call's goes to its caller).
  virtual bool run() noexcept = 0;
  // Consumer thread (or the thread tearing the queue down): releases the queue's reference
  // without running.
  virtual void discard(Fate fate) noexcept = 0;
  // Label for reports: the caller's label or the callable's type name.
  virtual std::string describe() const = 0;

  // steady_clock nanoseconds at admission, or 0 when this node is not a latency sample.
  std::int64_t enqueued_ns = 0;

 protected:
  TaskNode() = default;
  virtual ~TaskNode() = default;
};

// A fire-and-forget task too large (or too aligned) to be stored inline in a queue lane: owns its
// closure, deletes itself when finished.
template <class F>
class PostTask final : public TaskNode {
 public:
  template <class G>
  PostTask(G&& fn, const char* label) : fn_(std::forward<G>(fn)), label_(label) {}

  bool run() noexcept override {
    bool ok = true;
    try {
      fn_();
    } catch (...) {
      report_escaped_exception(describe());
      ok = false;
    }
    delete this;
    return ok;
  }
  void discard(Fate) noexcept override { delete this; }
  std::string describe() const override { return label_ ? label_ : type_label(typeid(F)); }

 private:
  F fn_;
  const char* label_;
};

// Fire-and-forget closures stored inline in a queue lane, after a 32-byte entry header: no
// allocation per task (see src/core/lane.h).
inline constexpr std::size_t kInlineHeader = 32;
inline constexpr std::size_t kMaxInlineClosure = 480;

template <class D>
// (Two different limits: clang-tidy takes them for one expression written twice.)
inline constexpr bool kFitsInline =
    sizeof(D) <= kMaxInlineClosure && alignof(D) <= 16;  // NOLINT(misc-redundant-expression)

// What the consumer does with an inline closure. `size` is the whole entry's, a multiple of 16.
struct InlineOps {
  std::uint32_t size;
  // Runs the closure, reports an escaped exception, destroys the closure; false if it threw.
  bool (*run)(void* closure, const char* label) noexcept;
  // Destroys the closure without running it.
  void (*destroy)(void* closure) noexcept;
};

template <class D>
struct InlineOpsFor {
  static bool run(void* closure, const char* label) noexcept {
    D& fn = *static_cast<D*>(closure);
    bool ok = true;
    try {
      fn();
    } catch (...) {
      report_escaped_exception(label ? std::string(label) : type_label(typeid(D)));
      ok = false;
    }
    fn.~D();
    return ok;
  }
  static void destroy(void* closure) noexcept { static_cast<D*>(closure)->~D(); }
  static constexpr InlineOps ops{
      static_cast<std::uint32_t>(kInlineHeader + (sizeof(D) + 15) / 16 * 16), &run, &destroy};
};

// Builds the closure D in the lane from the caller's F (moved from an rvalue, copied otherwise).
template <class D, class F>
void construct_inline(void* destination, void* source) {
  ::new (destination) D(std::forward<F>(*static_cast<std::remove_reference_t<F>*>(source)));
}

// An entry of a TaskQueue's list: a 32-byte header, followed by the closure for inline posts.
// Entries live in their producer thread's lane (src/core/lane.h).
struct alignas(16) LaneEntry {
  std::atomic<LaneEntry*> next{nullptr};  // the queue's list
  union {
    const char* label;  // inline closures
    TaskNode* node;     // node entries
  };
  std::int64_t enqueued_ns = 0;  // inline closures sampled for latency, else 0

  LaneEntry() : label(nullptr) {}
  void* closure() noexcept { return reinterpret_cast<unsigned char*>(this) + kInlineHeader; }
  // The closure's ops, or &kNodeEntry.
  const InlineOps* ops() const noexcept {
    // A pointer with a flag in its low bit (InlineOps are aligned): the bits are a pointer's.
    return reinterpret_cast<const InlineOps*>(ops_bits_ & ~kStartsBlock);  // NOLINT(performance-no-int-to-ptr)
  }
  // True for the first entry of its lane's block (src/core/lane.h).
  bool starts_block() const noexcept { return (ops_bits_ & kStartsBlock) != 0; }
  void set_ops(const InlineOps* ops, bool starts_block) noexcept {
    ops_bits_ = reinterpret_cast<std::uintptr_t>(ops) | (starts_block ? kStartsBlock : 0);
  }
  bool is_node() const noexcept;

 private:
  static constexpr std::uintptr_t kStartsBlock = 1;
  std::uintptr_t ops_bits_ = 0;
};
static_assert(sizeof(LaneEntry) == kInlineHeader);
static_assert(alignof(InlineOps) >= 2, "the low bit of an ops pointer is a flag");

// Marks an entry holding a TaskNode.
extern const InlineOps kNodeEntry;
inline bool LaneEntry::is_node() const noexcept { return ops() == &kNodeEntry; }

// A post on its way into a lane: the closure is built in place by `construct(slot, source)`.
struct InlineTask {
  const InlineOps* ops;
  const char* label;
  void (*construct)(void* destination, void* source);
  void* source;
};

// One-shot completion flag a single waiter can block on (spin briefly, then sleep in the kernel).
// A serving waiter can also be poked: woken without completion, to run requests sent to its loop.
class Completion {
 public:
  enum class Wake : std::uint8_t { kDone, kPoked, kTimeout };
  // Marks complete and wakes the waiter. Thread-safe; call once.
  void set() noexcept;
  // Wakes a waiter that accepts pokes. Thread-safe.
  void poke() noexcept;
  bool is_set() const noexcept { return (word_.load(std::memory_order_acquire) & kDone) != 0; }
  // Waits until set(), a poke (if accepted; it is consumed) or `deadline_ns` (steady_clock ns).
  // Single waiter.
  Wake wait_until(std::int64_t deadline_ns, bool accept_pokes = false) noexcept;

 private:
  static constexpr std::uint32_t kDone = 1, kSleeping = 2, kPoked = 4;
  std::atomic<std::uint32_t> word_{0};
};

// The non-template half of a synchronous call: state machine, reference count and completion.
// Two references: the waiting caller's and the queue's.
class CallTaskBase : public TaskNode {
 public:
  Start try_start() noexcept override;
  void discard(Fate fate) noexcept override;
  bool run() noexcept override;
  std::string describe() const override { return label_; }
  const std::string& label() const noexcept { return label_; }

  // True once a thread started running it (or claimed it to serve). Thread-safe.
  bool has_started() const noexcept { return state_.load(std::memory_order_acquire) != kQueued; }
  // Waiter: cancels if not started yet. True iff the task will now never run.
  bool cancel() noexcept;
  // Shutdown path: cancels a not-yet-started call and completes it with kShutdown. Thread-safe.
  bool cancel_for_shutdown() noexcept;
  // True when a caller is blocked waiting for this task (false for servable posts).
  virtual bool has_waiter() const noexcept { return true; }
  // Drops one reference; the last one deletes the node. Thread-safe.
  void release() noexcept;

  // Caller, after the queue accepted the task: from now on a serving loop thread may run it.
  void mark_admitted() noexcept { admitted_.store(true, std::memory_order_release); }
  // Serving thread, under the target's registry lock: claims a queued, admitted task and takes a
  // reference for the run. True iff the caller must now call serve().
  bool claim_for_serving() noexcept;
  // Serving thread: runs the claimed task, completes it, drops the serving reference. Returns false
  // when the task threw (its exception goes to its caller).
  bool serve() noexcept;

  Completion& completion() noexcept { return completion_; }
  ErrorCode outcome() const noexcept { return outcome_; }
  // Waiter, after completion: takes what the task threw. Moved, not copied, so the exception object
  // is released on the waiter's thread only.
  std::exception_ptr take_exception() noexcept { return std::move(exception_); }

  // Intrusive links of the dispatcher's registry of waiting callers (guarded by its mutex).
  CallTaskBase* registry_prev = nullptr;
  CallTaskBase* registry_next = nullptr;

 protected:
  explicit CallTaskBase(std::string label) : label_(std::move(label)) {}
  // Runs the user function and stores its value. May throw (the task's own exception).
  virtual void invoke() = 0;
  // Called once right after the task ran (by the queue or by a serving wait).
  virtual void after_execute() noexcept {}

 private:
  bool execute() noexcept;  // invoke(), store the outcome, complete, after_execute()

  enum State : std::uint8_t { kQueued, kRunning, kCancelled, kServed };
  std::atomic<std::uint8_t> state_{kQueued};
  std::atomic<bool> admitted_{false};
  std::atomic<int> refs_{2};
  Completion completion_;
  ErrorCode outcome_ = ErrorCode::kOk;  // written once, before completion_.set()
  std::exception_ptr exception_;
  std::string label_;
};

template <class R, class F>
class CallTask final : public CallTaskBase {
 public:
  template <class G>
  CallTask(G&& fn, std::string label) : CallTaskBase(std::move(label)), fn_(std::forward<G>(fn)) {}

  // Waiter, after completion with kOk: moves the value out.
  R take_value() {
    if constexpr (std::is_void_v<R>) {
      return;
    } else {
      return std::move(*value_);
    }
  }

 private:
  void invoke() override {
    if constexpr (std::is_void_v<R>) {
      fn_();
    } else {
      value_.emplace(fn_());
    }
  }

  F fn_;
  struct Empty {};
  [[no_unique_address]] std::conditional_t<std::is_void_v<R>, Empty, std::optional<R>> value_;
};

// A fire-and-forget task that a serving wait may run too (Dispatcher::post_servable): registered in
// its dispatcher's registry like a waiting caller, with the registry holding the "caller" reference.
// Whoever finishes it (queue, serving wait, cancellation, teardown) unregisters it exactly once.
class ServableTaskBase : public CallTaskBase {
 public:
  void discard(Fate fate) noexcept override;
  bool has_waiter() const noexcept override { return false; }

 protected:
  ServableTaskBase(std::string label, Dispatcher* owner)
      : CallTaskBase(std::move(label)), owner_(owner) {}
  void after_execute() noexcept override;

 private:
  void leave_registry() noexcept;
  Dispatcher* owner_;
  std::atomic<bool> left_{false};
};

template <class F>
class ServableTask final : public ServableTaskBase {
 public:
  template <class G>
  ServableTask(G&& fn, std::string label, Dispatcher* owner)
      : ServableTaskBase(std::move(label), owner), fn_(std::forward<G>(fn)) {}

 private:
  void invoke() override { fn_(); }
  F fn_;
};

}  // namespace dccview::detail
