#include "dccview/glib_loop.h"

#include <glib.h>

#include <string>

#include "dccview/dispatcher.h"
#include "dccview/log.h"

namespace dccview {

struct GlibLoop::Source {
  GSource base;  // first member: GLib allocates and casts the struct
  GlibLoop* loop;
};

namespace {

GlibLoop* owner(GSource* source) { return reinterpret_cast<GlibLoop::Source*>(source)->loop; }

// wake() marks the source ready (g_source_set_ready_time is thread-safe and wakes the context), so
// GLib dispatches it once; no prepare/check polling. No exception may unwind through GLib's frames.
gboolean dispatch(GSource* source, GSourceFunc, gpointer budget_ms) {
  g_source_set_ready_time(source, -1);
  try {
    owner(source)->dispatcher().pump(std::chrono::milliseconds(GPOINTER_TO_INT(budget_ms)));
  } catch (const std::exception& e) {
    log(LogLevel::kError, std::string("GlibLoop: pump failed: ") + e.what());
  } catch (...) {
    log(LogLevel::kError, "GlibLoop: pump failed with a non-std::exception object");
  }
  return G_SOURCE_CONTINUE;
}

GSourceFuncs g_source_funcs = {nullptr, nullptr, dispatch, nullptr, nullptr, nullptr};

}  // namespace

GlibLoop::GlibLoop(GMainContext* context, std::chrono::milliseconds budget, int priority)
    : context_(g_main_context_ref(context ? context : g_main_context_default())),
      budget_(budget),
      priority_(priority) {}

GlibLoop::~GlibLoop() {
  if (source_ != nullptr) {
    g_source_destroy(&source_->base);
    g_source_unref(&source_->base);
  }
  g_main_context_unref(context_);
}

void GlibLoop::on_install() {
  GSource* source = g_source_new(&g_source_funcs, sizeof(Source));
  source_ = reinterpret_cast<Source*>(source);
  source_->loop = this;
  g_source_set_priority(source, priority_);
  g_source_set_name(source, "dccview dispatcher");
  g_source_set_callback(source, nullptr, GINT_TO_POINTER(static_cast<int>(budget_.count())),
                        nullptr);
  g_source_attach(source, context_);
}

void GlibLoop::wake() noexcept { g_source_set_ready_time(&source_->base, 0); }

}  // namespace dccview
