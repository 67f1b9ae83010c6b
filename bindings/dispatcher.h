// dispatcher.h: the native main-thread dispatcher as the Python type dccview._core.Dispatcher.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

#include "dccview/dispatcher.h"

namespace dccview {
class OwnedLoop;
}

namespace dccview::python {

// What the Python type wraps: the dispatcher, plus the owned loop when the fallback runs one.
struct PyDispatcher {
  std::shared_ptr<Dispatcher> dispatcher;
  OwnedLoop* owned_loop = nullptr;  // owned by the dispatcher; set by install_owned()
};

void bind_dispatcher(nanobind::module_& module);

}  // namespace dccview::python
