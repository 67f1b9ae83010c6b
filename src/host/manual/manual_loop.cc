#include "dccview/manual_loop.h"

#include "dccview/log.h"

namespace dccview {

void ManualLoop::wake() noexcept {
  if (!on_work_waiting_) return;
  try {
    on_work_waiting_();
  } catch (const std::exception& e) {
    log(LogLevel::kError, std::string("ManualLoop wake-up callback threw: ") + e.what());
  } catch (...) {
    log(LogLevel::kError, "ManualLoop wake-up callback threw a non-std::exception object");
  }
}

}  // namespace dccview
