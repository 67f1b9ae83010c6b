// dccview/host_loop.h: the interface between a Dispatcher and the event loop of its main thread.
//
// The Dispatcher owns the queue, every wait and every timeout; a HostLoop only *wakes* its thread and
// makes it call Dispatcher::pump(). That keeps every guarantee identical across hosts.
//
// Backends (one header each):
//   OwnedLoop   dccview runs the loop on the calling thread until quit() (standalone tools, the
//               WebView thread). Sleeps in the kernel when idle.
//   ManualLoop  the host pumps from its own timer, idle or tick callback and is told through a
//               wake-up callback that work is waiting (Blender, Maya, Houdini, Nuke, Unreal).
//   GlibLoop    a GSource on a GMainContext (GTK hosts; Qt hosts on the GLib dispatcher).
//   QtLoop      a QObject living on the GUI thread (target dccview::qt, built when Qt is found).
//
// Anatomy of a pump: the loop thread calls Dispatcher::pump(budget), which runs queued tasks until the
// queue is empty or the budget is spent and says whether work remains; the backend then returns to
// its host, asking for another turn if work remains. Pumps never nest: a pump reached re-entrantly
// (a task spinning a nested host loop) returns at once without running anything.
//
// Lifetime: a loop is installed into exactly one Dispatcher with Dispatcher::install(), which owns
// it from then on; the installing thread becomes the dispatcher's main thread.
#pragma once

namespace dccview {

class Dispatcher;

class HostLoop {
 public:
  virtual ~HostLoop() = default;
  HostLoop(const HostLoop&) = delete;
  HostLoop& operator=(const HostLoop&) = delete;

  // The dispatcher this loop was installed into. Thread-safe after install.
  Dispatcher& dispatcher() const noexcept { return *dispatcher_; }

 protected:
  HostLoop() = default;

  // Called once by Dispatcher::install() on the installing (main) thread, before any wake().
  virtual void on_install() {}

  // Asks the loop thread to call Dispatcher::pump() soon. Called from any thread, at most once per
  // pump (the dispatcher coalesces), never under a dccview lock. Must not block and must not throw.
  virtual void wake() noexcept = 0;

 private:
  friend class Dispatcher;
  Dispatcher* dispatcher_ = nullptr;
};

}  // namespace dccview
