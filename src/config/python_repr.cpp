#include "config/python_repr.hpp"

#include <fmt/format.h>

namespace gf::config {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// clang 14 (the fuzz build) lacks C++20 aggregate deduction, so spell the guide out.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string repr_double(double number) {
  std::string text = fmt::format("{}", number);
  if (text.find_first_of(".eninf") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string python_string_repr(std::string_view text) {
  // repr() prefers single quotes and switches to double quotes only to avoid escaping.
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::string python_repr(const Value& value) {
  return std::visit(
      Overloaded{
          [](std::monostate) -> std::string { return "None"; },
          [](bool flag) -> std::string { return flag ? "True" : "False"; },
          [](int64_t number) -> std::string { return std::to_string(number); },
          [](double number) -> std::string { return repr_double(number); },
          [](const std::string& text) -> std::string { return python_string_repr(text); },
          [](const StringList& items) -> std::string {
            std::string out = "[";
            for (size_t i = 0; i < items.size(); ++i) {
              if (i != 0) out += ", ";
              out += python_string_repr(items[i]);
            }
            return out + "]";
          },
          [](const StringMap& pairs) -> std::string {
            std::string out = "{";
            for (size_t i = 0; i < pairs.size(); ++i) {
              if (i != 0) out += ", ";
              out +=
                  python_string_repr(pairs[i].first) + ": " + python_string_repr(pairs[i].second);
            }
            return out + "}";
          },
      },
      value);
}

std::string python_str(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return python_repr(value);
}

}  // namespace gf::config
