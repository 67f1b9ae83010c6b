// dccview/qt_loop.h: a HostLoop on a Qt event loop (target dccview::qt, built when Qt 5 or 6 is found).
//
// A QObject created on the installing (GUI) thread receives a posted event whenever work is queued
// and pumps the dispatcher from its event handler. Waking uses QCoreApplication::postEvent, which is
// thread-safe; no QTimer is ever started from a foreign thread.
//
// Lifetime: destroy the Dispatcher (and so this loop) on the GUI thread before the
// QCoreApplication; from another thread the object is handed to deleteLater().
#pragma once

#include <chrono>
#include <memory>

#include "dccview/host_loop.h"

namespace dccview {

class QtLoop final : public HostLoop {
 public:
  // Thread-safe (the QObject is created at install, on the GUI thread).
  explicit QtLoop(std::chrono::milliseconds budget = std::chrono::milliseconds(10));
  // GUI thread, or any thread (then the QObject goes to deleteLater); see Lifetime above.
  ~QtLoop() override;

  class Receiver;  // the QObject (defined in the .cc file)

 private:
  void on_install() override;
  void wake() noexcept override;

  std::chrono::milliseconds budget_;
  Receiver* receiver_ = nullptr;
};

}  // namespace dccview
