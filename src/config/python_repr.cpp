#include "config/python_repr.hpp"

#include <fmt/format.h>

#include "util/python_repr.hpp"

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

std::string python_repr(const Value& value) {
  return std::visit(
      Overloaded{
          [](std::monostate) -> std::string { return "None"; },
          [](bool flag) -> std::string { return flag ? "True" : "False"; },
          [](int64_t number) -> std::string { return std::to_string(number); },
          [](double number) -> std::string { return repr_double(number); },
          [](const std::string& text) -> std::string { return util::python_repr_utf8(text); },
          [](const StringList& items) -> std::string {
            std::string out = "[";
            for (size_t i = 0; i < items.size(); ++i) {
              if (i != 0) out += ", ";
              out += util::python_repr_utf8(items[i]);
            }
            return out + "]";
          },
          [](const StringMap& pairs) -> std::string {
            std::string out = "{";
            for (size_t i = 0; i < pairs.size(); ++i) {
              if (i != 0) out += ", ";
              out += util::python_repr_utf8(pairs[i].first) + ": " +
                     util::python_repr_utf8(pairs[i].second);
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
