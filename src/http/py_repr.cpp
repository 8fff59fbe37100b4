#include "http/py_repr.hpp"

namespace gf::http {

namespace {
// str.isprintable() for U+0000..U+00FF: C0/C1 controls, DEL and the soft hyphen are not.
bool printable_latin1(unsigned char c) {
  return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0xa0) && c != 0xad;
}
}  // namespace

std::string py_repr(std::string_view latin1) {
  bool has_single = latin1.find('\'') != std::string_view::npos;
  bool has_double = latin1.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(latin1.size() + 2);
  out += quote;
  for (char ch : latin1) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (!printable_latin1(c)) {
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

}  // namespace gf::http
