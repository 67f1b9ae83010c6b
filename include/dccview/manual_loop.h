// dccview/manual_loop.h: a HostLoop driven by the host: the host calls pump() from its own timer,
// idle or tick callback, and is told through a wake-up callback that work is waiting.
//
// This is how hosts whose main loop dccview cannot own are served: Blender (bpy.app.timers), Maya
// (maya.utils.executeDeferred), Houdini (hdefereval / hou.ui.addEventLoopCallback), Nuke
// (nuke.executeInMainThread), Unreal (slate post-tick callbacks).
//
// The wake-up callback runs on the thread that posted (any thread), at most once between two pumps,
// never under a dccview lock. It must be quick and must not block; typically it schedules a pump
// with the host's own main-thread API. An exception it throws is caught and logged.
#pragma once

#include <chrono>
#include <functional>

#include "dccview/dispatcher.h"
#include "dccview/host_loop.h"

namespace dccview {

class ManualLoop final : public HostLoop {
 public:
  using WakeCallback = std::function<void()>;

  // `on_work_waiting` may be empty for hosts that pump on a fixed timer anyway. Thread-safe.
  explicit ManualLoop(WakeCallback on_work_waiting = {}) : on_work_waiting_(std::move(on_work_waiting)) {}

  // ManualLoop::pump()
  // Runs queued tasks until the queue is empty or `budget` is spent (at least one task runs if any
  // is queued). Never re-enters: a nested call returns {0, ...} at once. If work remains, the wake-up
  // callback is called again. Main thread only.
  PumpResult pump(std::chrono::nanoseconds budget = std::chrono::milliseconds(10)) {
    return dispatcher().pump(budget);
  }

 private:
  void wake() noexcept override;

  WakeCallback on_work_waiting_;
};

}  // namespace dccview
