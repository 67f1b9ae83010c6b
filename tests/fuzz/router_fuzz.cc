// libFuzzer target over the shared WebView core's routing (router_driver.h). Built and run by
// `./dev fuzz` (and for a short time by `./dev test`), seeded from tests/fuzz/router_corpus.
#include <cstddef>
#include <cstdint>

#include "router_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dccview::fuzz::run_router_script(data, size);
  return 0;
}
