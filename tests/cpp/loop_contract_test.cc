#include "loop_contract.h"
#include "loop_drivers.h"

namespace dccview::testing {
using CoreDrivers = ::testing::Types<OwnedDriver, ManualDriver, GlibDriver>;
INSTANTIATE_TYPED_TEST_SUITE_P(Backends, LoopContract, CoreDrivers, DriverName);
}  // namespace dccview::testing
