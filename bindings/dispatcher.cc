// The Python face of dccview::Dispatcher. Python callables cross as PyRef; every wait releases the GIL
// (BlockingScope); every task takes it back through GilAcquire. The Python layer (dccview/_runtime.py)
// wraps user functions so that they never raise into native code: results and exceptions travel in a
// Python-side box, so the caller re-raises the function's own exception object with its traceback.
#include "dispatcher.h"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <thread>

#include "dccview/glib_loop.h"
#include "dccview/log.h"
#include "dccview/manual_loop.h"
#include "dccview/owned_loop.h"
#include "dccview/wait_policy.h"
#include "errors.h"
#include "interrupts.h"
#include "python_gate.h"

namespace nb = nanobind;

namespace dccview::python {

namespace {

std::chrono::milliseconds to_ms(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) throw std::invalid_argument("timeout must be a finite number >= 0");
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

// Runs a Python callable on whatever thread the dispatcher picks.
struct PythonTask {
  std::shared_ptr<PyRef> callable;  // shared: the loops' wake callbacks need copyable functions
  const char* context;

  void operator()() const {
    GilAcquire gil;
    if (!gil.ok()) throw ShutdownInProgressError("dccview: the interpreter is shutting down");
    call_reporting(callable->get(), context);
  }
};

PythonTask task_of(nb::handle fn, const char* context) {
  if (!PyCallable_Check(fn.ptr())) throw nb::type_error("expected a callable");
  return PythonTask{std::make_shared<PyRef>(fn.ptr()), context};
}

ThreadSafetyConfig make_config(std::uint64_t main_thread_timeout_ms, std::uint64_t js_eval_timeout_ms,
                               std::uint32_t max_retries, std::uint64_t retry_delay_ms,
                               std::optional<bool> debug_lock_order) {
  ThreadSafetyConfig config;
  config.main_thread_timeout_ms = main_thread_timeout_ms;
  config.js_eval_timeout_ms = js_eval_timeout_ms;
  config.max_retries = max_retries;
  config.retry_delay_ms = retry_delay_ms;
  if (debug_lock_order) config.debug_lock_order = *debug_lock_order;
  return config;
}

void post(PyDispatcher& self, nb::handle fn) {
  PythonTask task = task_of(fn, "dccview: a task posted to the main thread");
  if (!self.dispatcher->post(std::move(task), "python task")) {
    raise_error({self.dispatcher->is_shutdown() ? ErrorCode::kShutdown : ErrorCode::kQueueFull,
                 self.dispatcher->is_shutdown() ? "dccview: the main-thread dispatcher is shut down"
                                                : "dccview: the main-thread queue is full",
                 nullptr});
  }
}

void call(PyDispatcher& self, nb::handle fn, double timeout_s, const std::string& label) {
  PythonTask task = task_of(fn, "dccview: a synchronous main-thread call");
  const auto timeout = to_ms(timeout_s);
  Result<void> result = Error{};
  {
    BlockingScope blocking;
    result = self.dispatcher->try_call(std::move(task), timeout, label);
  }
  if (!result.ok()) raise_error(result.error());
}

void install_owned(PyDispatcher& self) {
  self.owned_loop = &self.dispatcher->install<OwnedLoop>();
}

void run_owned(PyDispatcher& self) {
  if (self.owned_loop == nullptr) throw std::logic_error("dccview: run() needs install_owned() first");
  if (!self.dispatcher->is_main_thread()) throw std::logic_error("dccview: run() on a thread that is not the main thread");
  // A KeyboardInterrupt or SystemExit raised by a task (or forwarded from another thread) ends the
  // loop and is raised here, on the main thread (interrupts.h).
  {
    RunningLoopScope running(self.owned_loop);
    if (raise_forwarded_interrupt()) throw nb::python_error();  // forwarded before the loop ran
    BlockingScope blocking;
    self.owned_loop->run();
  }
  if (raise_forwarded_interrupt()) throw nb::python_error();
}

void quit_owned(PyDispatcher& self) {
  if (self.owned_loop != nullptr) self.owned_loop->quit();
}

// The host's wake-up: runs on the posting thread (any thread), never under a dccview lock.
void install_manual(PyDispatcher& self, nb::handle wake) {
  PythonTask task = task_of(wake, "dccview: the host wake-up callback");
  self.dispatcher->install<ManualLoop>([task = std::move(task)] {
    try {
      task();
    } catch (const std::exception& e) {
      log(LogLevel::kError, std::string("dccview: the host wake-up callback failed: ") + e.what());
    }
  });
}

std::pair<std::size_t, bool> pump(PyDispatcher& self, double budget_s) {
  const auto budget = std::chrono::nanoseconds(static_cast<std::int64_t>(budget_s * 1e9));
  const PumpResult result = self.dispatcher->pump(budget);
  return {result.ran, result.more_pending};
}

bool wait_for_drain(PyDispatcher& self, double timeout_s) {
  const auto timeout = to_ms(timeout_s);
  BlockingScope blocking;
  return self.dispatcher->wait_for_drain(timeout);
}

nb::dict stats(const PyDispatcher& self) {
  const QueueStats s = self.dispatcher->stats();
  nb::dict d;
  d["accepted"] = s.accepted;
  d["rejected"] = s.rejected;
  d["run"] = s.run;
  d["cancelled"] = s.cancelled;
  d["destroyed"] = s.destroyed;
  d["max_depth"] = s.max_depth;
  d["pumps"] = self.dispatcher->pump_count();
  return d;
}

// A Python `with` scope around ScopedNoServingWait, for code that must not run nested main-thread
// work while it waits (a host callback, an undo chunk): waits on the entering thread do not serve
// their loop, and a cycle they would close is refused with DeadlockDetectedError.
struct PyNoServingWait {
  explicit PyNoServingWait(std::string why) : reason(std::move(why)) {}
  std::string reason;
  std::thread::id owner{};
  std::optional<ScopedNoServingWait> scope;
};

void enter_no_serving(PyNoServingWait& self) {
  if (self.scope) throw std::runtime_error("no_serving_wait scope entered twice; use one per `with`");
  self.owner = std::this_thread::get_id();
  self.scope.emplace(self.reason.c_str());  // `reason` lives as long as the scope
}

void exit_no_serving(PyNoServingWait& self) {
  if (!self.scope) return;
  if (self.owner != std::this_thread::get_id()) {
    throw std::runtime_error("no_serving_wait scope left on another thread than the one that entered it");
  }
  self.scope.reset();
}

}  // namespace

void bind_dispatcher(nb::module_& m) {
  nb::class_<PyNoServingWait>(m, "NoServingWait", "with-scope: waits on this thread do not serve its loop.")
      .def(nb::init<std::string>(), nb::arg("reason"))
      .def("__enter__", [](PyNoServingWait& self) -> PyNoServingWait& {
        enter_no_serving(self);
        return self;
      }, nb::rv_policy::reference)
      .def("__exit__", [](PyNoServingWait& self, const nb::args&) { exit_no_serving(self); })
      .def_prop_ro("reason", [](const PyNoServingWait& self) { return self.reason; });

  nb::class_<PyDispatcher>(m, "Dispatcher",
                           "The native main-thread dispatcher (queues, waits, timeouts, cycle checks).")
      .def("__init__",
           [](PyDispatcher* self, std::uint64_t main_ms, std::uint64_t js_ms, std::uint32_t retries,
              std::uint64_t retry_ms, std::optional<bool> debug_lock_order) {
             new (self) PyDispatcher{
                 std::make_shared<Dispatcher>(make_config(main_ms, js_ms, retries, retry_ms, debug_lock_order)),
                 nullptr};
           },
           nb::arg("main_thread_timeout_ms") = 30000, nb::arg("js_eval_timeout_ms") = 5000,
           nb::arg("max_retries") = 3, nb::arg("retry_delay_ms") = 100,
           nb::arg("debug_lock_order") = nb::none())
      .def("install_owned", &install_owned, "The calling thread becomes the main thread; run() drives it.")
      .def("install_manual", &install_manual, nb::arg("wake"),
           "The calling thread becomes the main thread; wake() (any thread) must make it call pump().")
      .def("install_glib",
           [](PyDispatcher& self) { self.dispatcher->install<GlibLoop>(nullptr); },
           "The calling thread becomes the main thread, served by the default GLib main context.")
      .def("run", &run_owned, "Runs the owned loop until quit() (main thread; releases the GIL).")
      .def("quit", &quit_owned, "Makes run() return (sticky until reset_quit()). Any thread.")
      .def("reset_quit",
           [](PyDispatcher& self) {
             if (self.owned_loop != nullptr) self.owned_loop->reset_quit();
           },
           "Clears an earlier quit() so run() runs again. Main thread.")
      .def("pump", &pump, nb::arg("budget_s") = 0.01,
           "Runs queued work for up to budget_s seconds; returns (ran, more_pending). Main thread.")
      .def("post", &post, nb::arg("fn"), "Queues fn() for the main thread; never runs it inline.")
      .def("call", &call, nb::arg("fn"), nb::arg("timeout_s"), nb::arg("label"),
           "Runs fn() on the main thread and waits (GIL released) up to timeout_s.")
      .def("is_main_thread", [](const PyDispatcher& self) { return self.dispatcher->is_main_thread(); })
      .def_prop_ro("installed",
                   [](const PyDispatcher& self) { return self.dispatcher->main_thread_id() != std::thread::id(); })
      .def("has_pending", [](const PyDispatcher& self) { return self.dispatcher->has_pending(); },
           "True when work waits (main thread).")
      .def("shutdown", [](PyDispatcher& self) { self.dispatcher->shutdown(); })
      .def_prop_ro("is_shutdown", [](const PyDispatcher& self) { return self.dispatcher->is_shutdown(); })
      .def("wait_for_drain", &wait_for_drain, nb::arg("timeout_s"))
      .def("discard_pending", [](PyDispatcher& self) { return self.dispatcher->discard_pending(); })
      .def("stats", &stats);
}

}  // namespace dccview::python
