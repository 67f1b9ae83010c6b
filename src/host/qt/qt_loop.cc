#include "dccview/qt_loop.h"

#include <QCoreApplication>
#include <QEvent>
#include <QObject>
#include <QThread>
#include <atomic>
#include <new>
#include <string>

#include "dccview/dispatcher.h"
#include "dccview/log.h"

namespace dccview {

namespace {
QEvent::Type pump_event_type() {
  static const auto type = static_cast<QEvent::Type>(QEvent::registerEventType());
  return type;
}
}  // namespace

// Lives on the GUI thread; pumps when it receives the pump event. No Q_OBJECT: it has no signals.
class QtLoop::Receiver final : public QObject {
 public:
  Receiver(QtLoop* loop, std::chrono::milliseconds budget) : loop_(loop), budget_(budget) {}

  void detach() noexcept { loop_.store(nullptr, std::memory_order_release); }

  bool event(QEvent* event) override {
    if (event->type() != pump_event_type()) return QObject::event(event);
    QtLoop* loop = loop_.load(std::memory_order_acquire);
    if (loop == nullptr) return true;
    // No exception may unwind through Qt's event dispatch.
    try {
      loop->dispatcher().pump(budget_);
    } catch (const std::exception& e) {
      log(LogLevel::kError, std::string("QtLoop: pump failed: ") + e.what());
    } catch (...) {
      log(LogLevel::kError, "QtLoop: pump failed with a non-std::exception object");
    }
    return true;
  }

 private:
  std::atomic<QtLoop*> loop_;
  std::chrono::milliseconds budget_;
};

QtLoop::QtLoop(std::chrono::milliseconds budget) : budget_(budget) {}

QtLoop::~QtLoop() {
  if (receiver_ == nullptr) return;
  receiver_->detach();
  if (receiver_->thread() == QThread::currentThread()) {
    delete receiver_;  // also drops its pending pump events
  } else {
    receiver_->deleteLater();
  }
}

void QtLoop::on_install() {
  pump_event_type();
  receiver_ = new Receiver(this, budget_);
}

void QtLoop::wake() noexcept {
  // noexcept: an allocation failure is logged (the wake is lost) rather than ending the process.
  auto* event = new (std::nothrow) QEvent(pump_event_type());
  if (event == nullptr) {
    log(LogLevel::kError, "QtLoop: out of memory: a wake of the Qt main thread was lost");
    return;
  }
  QCoreApplication::postEvent(receiver_, event);
}

}  // namespace dccview
