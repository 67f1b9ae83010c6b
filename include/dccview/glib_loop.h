// dccview/glib_loop.h: a HostLoop on a GLib main context (target dccview::glib).
//
// For GTK hosts and for Qt hosts that run Qt's default GLib event dispatcher: a GSource attached to
// the context pumps the dispatcher whenever work is queued. Idle costs nothing: the source has no
// timeout and no poll; waking it marks it ready with g_source_set_ready_time(), which is thread-safe.
//
// Install it on the thread that iterates the context (for the default context: the GTK/Qt main
// thread). Each dispatch runs tasks for at most `budget`, then yields to the other sources.
// Lifetime: the source is destroyed with the loop (that is, with its Dispatcher); destroy the
// Dispatcher on the main thread, or after the context stopped being iterated.
#pragma once

#include <chrono>

#include "dccview/host_loop.h"

typedef struct _GMainContext GMainContext;  // NOLINT: GLib's own spelling, no GLib header here

namespace dccview {

class GlibLoop final : public HostLoop {
 public:
  // `context` nullptr means g_main_context_default(). `priority` is a GLib priority
  // (G_PRIORITY_DEFAULT = 0). Thread-safe (the source is attached at install, on the main thread).
  explicit GlibLoop(GMainContext* context = nullptr,
                    std::chrono::milliseconds budget = std::chrono::milliseconds(10),
                    int priority = 0);
  // Destroys the source. Main thread, or any thread once the context is no longer iterated.
  ~GlibLoop() override;

  struct Source;  // the GSource subclass (defined in the .cc file)

 private:
  void on_install() override;
  void wake() noexcept override;

  GMainContext* context_;
  std::chrono::milliseconds budget_;
  int priority_;
  Source* source_ = nullptr;
};

}  // namespace dccview
