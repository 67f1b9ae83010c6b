// The shared WebView core's routing under the router driver (tests/fuzz/router_driver.h), on every
// test run and under the sanitizers: the fuzz seed corpus, then pseudo-random scripts from a fixed
// seed. Any violated invariant aborts the test binary (see the driver).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "router_driver.h"

namespace dccview::fuzz {
namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(RouterReplay, EverySeedOfTheFuzzCorpusKeepsTheInvariants) {
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DCCVIEW_ROUTER_CORPUS)) {
    const auto bytes = read_file(entry.path());
    run_router_script(bytes.data(), bytes.size());
    ++seeds;
  }
  EXPECT_GE(seeds, 4) << "the seed corpus is missing";
}

TEST(RouterReplay, TwoThousandRandomScriptsKeepTheInvariants) {
  std::mt19937 random(20261203);  // fixed: a failure reproduces
  std::uniform_int_distribution<int> byte(0, 255), length(1, 400);
  for (int script = 0; script < 2000; ++script) {
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(length(random)));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(byte(random));
    run_router_script(bytes.data(), bytes.size());
  }
  SUCCEED();  // reaching here means no script aborted
}

}  // namespace
}  // namespace dccview::fuzz
