// router_driver.h: drives the shared WebView core (message routing, answers, emits, operations,
// navigations, close) through a fake platform, from a byte string read as a script of steps. Used by
// the libFuzzer target (router_fuzz.cc, `./dev fuzz`) and by a test that replays the seed corpus under
// the sanitizers (tests/cpp/router_replay_test.cc).
//
// Everything runs on the calling thread: the "WebView thread" and the main thread are manual loops
// pumped by the driver, so a run is deterministic. Every violated invariant aborts (a crash for the
// fuzzer, a failure for the test). Checked:
//   - a message without this view's token, or from a document that is gone, changes nothing the page
//     can see (no delivery, no evaluation) and reaches no handler;
//   - every delivery is an ASCII-only JSON array, and a result in it answers a call the document it is
//     addressed to made (never another document's);
//   - a list evaluated as a script (not as data) holds no "__proto__" key;
//   - page messages never reach a handler for a "dccview:" name; the closed handler runs once;
//   - after close, nothing more reaches the page; every eval_js_async callback is answered exactly once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dccview::fuzz {

// Runs one script. Returns normally when every invariant held; aborts otherwise.
void run_router_script(const std::uint8_t* data, std::size_t size);

}  // namespace dccview::fuzz
