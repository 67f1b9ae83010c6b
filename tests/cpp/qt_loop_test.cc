// The host-loop contract against QtLoop: a QEventLoop on an adopted thread plays the GUI thread.
#include <QCoreApplication>
#include <QEventLoop>
#include <QMetaObject>

#include "dccview/qt_loop.h"
#include "loop_contract.h"
#include "loop_drivers.h"

namespace dccview::testing {

class QtDriver : public DriverBase {
 public:
  static constexpr const char* kName = "qt";
  void start(std::shared_ptr<Dispatcher> d) {
    launch(std::move(d), [this](Dispatcher& dispatcher, auto ready) {
      QEventLoop event_loop;
      event_loop_.store(&event_loop);
      dispatcher.install<QtLoop>();
      ready();
      event_loop.exec();
      event_loop_.store(nullptr);
    });
  }
  void stop(std::shared_ptr<Dispatcher> last_ref) {
    hand_over(std::move(last_ref));
    QMetaObject::invokeMethod(event_loop_.load(), "quit", Qt::QueuedConnection);
    join();
  }

 private:
  std::atomic<QEventLoop*> event_loop_{nullptr};
};

using QtDrivers = ::testing::Types<QtDriver>;
INSTANTIATE_TYPED_TEST_SUITE_P(Backends, LoopContract, QtDrivers, DriverName);

}  // namespace dccview::testing

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);  // never exec'd: the suite runs its loops on other threads
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
