// libFuzzer target over the page protocol: every input must parse to a defined message or a refusal,
// and whatever is re-encoded must parse back as ASCII-only JSON. Built and run by `./dev fuzz`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "webview/plain_json.h"
#include "webview/protocol.h"

namespace {
void check(bool condition) {
  if (!condition) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dccview::protocol;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Envelope current{"0123456789abcdef", "https://a.example", {}};
  if (const auto envelope = open_envelope(text, "token", current)) {
    // only with the token, a doc and an origin, or the current document's id alone
    const std::string first_line = text.substr(0, text.find('\n'));
    if (first_line == current.doc) {
      check(envelope->doc == current.doc && envelope->origin == current.origin);
    } else {
      const auto header = nlohmann::json::parse(first_line, nullptr, false);
      check(header.value("token", "") == "token");
    }
    check(!envelope->doc.empty() && envelope->payload.size() < text.size());
  }
  for (const auto& message : parse_all(text, 1 << 16)) {  // single messages and batches
    if (const auto* call = std::get_if<Call>(&message)) {
      check(nlohmann::json::accept(call->params_json));
    } else if (const auto* emit = std::get_if<Emit>(&message)) {
      check(nlohmann::json::accept(emit->data_json));
    }
  }
  // The fast path never accepts what a full JSON parser refuses.
  if (is_plain_json(text, 512)) check(nlohmann::json::accept(text));
  if (auto normalized = normalize_json(text)) {
    check(nlohmann::json::accept(*normalized));
    for (unsigned char c : *normalized) check(c < 0x80);  // ASCII only: safe inside any script
  }
  const std::string quoted = quote(text);
  for (unsigned char c : quoted) check(c < 0x80);
  check(nlohmann::json::parse(quoted, nullptr, false).is_string());
  (void)origin_of(text);
  return 0;
}
