#include "python/app/app_spec.hpp"

#include <filesystem>

namespace gf::python {

AppSpec AppSpec::parse(std::string_view uri) {
  AppSpec spec;
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos) {
    spec.module = std::string(uri);
  } else {
    spec.module = std::string(uri.substr(0, colon));
    spec.object = std::string(uri.substr(colon + 1));
  }
  return spec;
}

std::string AppSpec::py_file_hint() const {
  constexpr std::string_view kSuffix = ".py";
  if (module.size() <= kSuffix.size() || !module.ends_with(kSuffix)) return "";
  std::error_code ec;
  if (!std::filesystem::exists(module, ec)) return "";
  std::string stem = module.substr(0, module.size() - kSuffix.size());
  return "Failed to find application, did you mean '" + stem + ":" + object + "'?";
}

}  // namespace gf::python
