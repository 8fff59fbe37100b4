#include "util/python_repr.hpp"

namespace gf::util {
namespace {

enum class Encoding { kUtf8, kLatin1 };

// str.isprintable() for the code point a byte stands for. In UTF-8 a byte >= 0x80 is part of
// a multi-byte sequence, which is kept whole rather than decoded.
bool printable(unsigned char c, Encoding encoding) {
  if (c < 0x20 || c == 0x7f) return false;
  if (c < 0x80 || encoding == Encoding::kUtf8) return true;
  return c > 0xa0 && c != 0xad;
}

std::string python_string_repr(std::string_view text, Encoding encoding) {
  // repr() prefers single quotes and switches to double quotes only to avoid escaping.
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (!printable(c, encoding)) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string python_repr_utf8(std::string_view utf8) {
  return python_string_repr(utf8, Encoding::kUtf8);
}

std::string python_repr_latin1(std::string_view latin1) {
  return python_string_repr(latin1, Encoding::kLatin1);
}

}  // namespace gf::util
