#include "python/configuration/config_objects.hpp"

#include <map>
#include <string>
#include <utility>

#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {

struct Kept {
  config::Value stored;
  PyRef object;
};

// Never destroyed: releasing Python references from a static destructor would run after (or
// without) the GIL at exit, and the process is about to end anyway.
std::map<std::string, Kept, std::less<>>& kept() {
  static auto* objects = new std::map<std::string, Kept, std::less<>>();
  return *objects;
}

}  // namespace

void ConfigObjects::keep(std::string_view setting, const config::Value& stored, PyObject* object) {
  kept().insert_or_assign(std::string(setting), Kept{stored, PyRef::borrow(object)});
}

PyObject* ConfigObjects::find(const config::Config& cfg, std::string_view setting) {
  auto it = kept().find(setting);
  if (it == kept().end()) return nullptr;
  try {
    if (cfg.get(setting) != it->second.stored) return nullptr;
  } catch (const std::out_of_range&) {
    return nullptr;
  }
  return it->second.object.get();
}

void ConfigObjects::clear() {
  kept().clear();
}

std::shared_ptr<void> ConfigObjects::save() {
  return std::make_shared<std::map<std::string, Kept, std::less<>>>(kept());
}

void ConfigObjects::restore(const std::shared_ptr<void>& saved) {
  if (saved) kept() = *std::static_pointer_cast<std::map<std::string, Kept, std::less<>>>(saved);
}

}  // namespace gf::python
