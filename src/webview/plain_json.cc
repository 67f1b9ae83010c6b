#include "webview/plain_json.h"

namespace dccview::protocol {

namespace {

// A recursive-descent validator; recursion is bounded by max_depth. Every text it accepts, a full
// JSON parser accepts too (fuzzed against nlohmann::json in tests/fuzz/protocol_fuzz.cc).
class PlainJson {
 public:
  PlainJson(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  bool valid() {
    skip_whitespace();
    if (!value(0)) return false;
    skip_whitespace();
    return pos_ == s_.size();
  }

 private:
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool digit() const { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; }

  void skip_whitespace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool value(int depth) {
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{': return container(depth + 1, '}', true);
      case '[': return container(depth + 1, ']', false);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // An object (members "key": value) or an array (values), after its opening bracket.
  bool container(int depth, char close, bool members) {
    if (depth > max_depth_) return false;
    ++pos_;
    skip_whitespace();
    if (at(close)) {
      ++pos_;
      return true;
    }
    while (true) {
      skip_whitespace();
      if (members) {
        if (!at('"') || !string()) return false;
        skip_whitespace();
        if (!at(':')) return false;
        ++pos_;
        skip_whitespace();
      }
      if (!value(depth)) return false;
      skip_whitespace();
      if (at(',')) {
        ++pos_;
        continue;
      }
      if (!at(close)) return false;
      ++pos_;
      return true;
    }
  }

  bool string() {
    ++pos_;  // the opening quote
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20 || c >= 0x7f || c == '<') return false;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        switch (s_[pos_++]) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
          default: return false;  // \u escapes (and invalid ones) take the full path
        }
      }
    }
    return false;  // unterminated
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)? with at most kMaxIntegerDigits before the point. Exponents and
  // longer integers may overflow a double, which the full path refuses: they take that path.
  bool number() {
    if (at('-')) ++pos_;
    const std::size_t start = pos_;
    if (at('0')) {
      ++pos_;
    } else if (digit()) {
      while (digit()) ++pos_;
    } else {
      return false;
    }
    if (pos_ - start > kMaxIntegerDigits) return false;
    if (at('.')) {
      ++pos_;
      if (!digit()) return false;
      while (digit()) ++pos_;
    }
    return !at('e') && !at('E');
  }

  static constexpr std::size_t kMaxIntegerDigits = 300;  // 1e300 < DBL_MAX

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::string_view s_;
  int max_depth_;
  std::size_t pos_ = 0;
};

}  // namespace

bool is_plain_json(std::string_view text, int max_depth) { return PlainJson(text, max_depth).valid(); }

bool is_plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == ':' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace dccview::protocol
