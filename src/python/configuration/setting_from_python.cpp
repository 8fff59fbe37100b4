#include "python/configuration/setting_from_python.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "config/value_parser.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

using config::InvalidValue;
using config::SettingSpec;
using config::ValueType;

[[noreturn]] void invalid(const SettingSpec& spec) {
  throw InvalidValue(config::expected_text(spec));
}

// Settings are file names, addresses and the like: encode like os.fsencode() so a str that came
// from os.environ with surrogate escapes keeps its original bytes.
std::optional<std::string> text_of(PyObject* str) {
  PyRef bytes = PyRef::steal(PyUnicode_EncodeFSDefault(str));
  if (!bytes) {
    PyErr_Clear();
    return std::nullopt;
  }
  return std::string(PyBytes_AS_STRING(bytes.get()),
                     static_cast<size_t>(PyBytes_GET_SIZE(bytes.get())));
}

std::string checked_text(const SettingSpec& spec, PyObject* object) {
  if (!PyUnicode_Check(object)) invalid(spec);
  auto text = text_of(object);
  if (!text) invalid(spec);
  return *text;
}

config::StringList string_list(const SettingSpec& spec, PyObject* sequence) {
  config::StringList items;
  const Py_ssize_t size = PySequence_Fast_GET_SIZE(sequence);
  PyObject** elements = PySequence_Fast_ITEMS(sequence);
  for (Py_ssize_t i = 0; i < size; ++i) items.push_back(checked_text(spec, elements[i]));
  return items;
}

config::StringMap string_map(const SettingSpec& spec, PyObject* dict) {
  config::StringMap pairs;
  Py_ssize_t pos = 0;
  PyObject *key = nullptr, *value = nullptr;
  while (PyDict_Next(dict, &pos, &key, &value))
    pairs.emplace_back(checked_text(spec, key), checked_text(spec, value));
  return pairs;
}

// The Python shapes that map onto a Value directly; what they may be used for is then the
// settings table's validator's business (an int for a string setting is refused there).
config::Value plain_value(const SettingSpec& spec, PyObject* object) {
  if (object == Py_None) return std::monostate{};
  if (PyBool_Check(object)) return object == Py_True;
  if (PyLong_Check(object)) {
    int overflow = 0;
    const long long number = PyLong_AsLongLongAndOverflow(object, &overflow);
    if (overflow != 0 || (number == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      invalid(spec);
    }
    return static_cast<int64_t>(number);
  }
  if (PyFloat_Check(object)) return PyFloat_AS_DOUBLE(object);
  if (PyUnicode_Check(object)) return checked_text(spec, object);
  if (PyList_Check(object) || PyTuple_Check(object)) {
    PyRef sequence = PyRef::steal(PySequence_Fast(object, ""));
    if (!sequence) {
      PyErr_Clear();
      invalid(spec);
    }
    return string_list(spec, sequence.get());
  }
  if (PyDict_Check(object)) return string_map(spec, object);
  invalid(spec);
}

PyRef attribute(PyObject* object, const char* name) {
  PyRef value = PyRef::steal(PyObject_GetAttrString(object, name));
  if (!value) PyErr_Clear();
  return value;
}

// "module.qualname" of a function or class: readable in --print-config and log lines, and
// always a valid import-string shape, so the settings table's hook validator accepts it.
std::string dotted_name(PyObject* object) {
  PyRef module = attribute(object, "__module__");
  PyRef qualname = attribute(object, "__qualname__");
  std::optional<std::string> module_text, name_text;
  if (module && PyUnicode_Check(module.get())) module_text = text_of(module.get());
  if (qualname && PyUnicode_Check(qualname.get())) name_text = text_of(qualname.get());
  if (!name_text || name_text->empty()) name_text = Py_TYPE(object)->tp_name;
  if (!module_text || module_text->empty()) module_text = "__config__";
  return *module_text + "." + *name_text;
}

// Positional parameters as inspect.signature() counts them (with or without defaults), or
// nullopt for callables Python cannot describe (some builtins): those are not refused.
std::optional<int> positional_parameters(PyObject* callable) {
  PyRef inspect = PyRef::steal(PyImport_ImportModule("inspect"));
  if (!inspect) {
    PyErr_Clear();
    return std::nullopt;
  }
  PyRef signature = PyRef::steal(PyObject_CallMethod(inspect.get(), "signature", "O", callable));
  PyRef parameter = attribute(inspect.get(), "Parameter");
  if (!signature || !parameter) {
    PyErr_Clear();
    return std::nullopt;
  }
  PyRef positional_only = attribute(parameter.get(), "POSITIONAL_ONLY");
  PyRef positional_or_keyword = attribute(parameter.get(), "POSITIONAL_OR_KEYWORD");
  PyRef parameters = attribute(signature.get(), "parameters");
  PyRef values =
      parameters ? PyRef::steal(PyObject_CallMethod(parameters.get(), "values", nullptr)) : PyRef();
  PyRef iterator = values ? PyRef::steal(PyObject_GetIter(values.get())) : PyRef();
  if (!positional_only || !positional_or_keyword || !iterator) {
    PyErr_Clear();
    return std::nullopt;
  }
  int count = 0;
  while (PyRef item = PyRef::steal(PyIter_Next(iterator.get()))) {
    PyRef kind = attribute(item.get(), "kind");
    if (!kind) continue;
    if (PyObject_RichCompareBool(kind.get(), positional_only.get(), Py_EQ) == 1 ||
        PyObject_RichCompareBool(kind.get(), positional_or_keyword.get(), Py_EQ) == 1)
      ++count;
  }
  PyErr_Clear();
  return count;
}

std::string arity_text(const SettingSpec& spec) {
  if (spec.max_args > spec.min_args)
    return fmt::format("{} to {} positional parameters", spec.min_args, spec.max_args);
  return fmt::format("{} positional parameter{}", spec.min_args, spec.min_args == 1 ? "" : "s");
}

SettingFromPython hook_value(const SettingSpec& spec, PyObject* object) {
  if (!PyCallable_Check(object)) invalid(spec);
  if (auto count = positional_parameters(object);
      count && spec.min_args > 0 && (*count < spec.min_args || *count > spec.max_args)) {
    throw InvalidValue(
        fmt::format("expected a callable with {}, got {}", arity_text(spec), *count));
  }
  return {config::validate_value(spec, dotted_name(object)), true};
}

}  // namespace

SettingFromPython setting_from_python(const SettingSpec& spec, PyObject* object) {
  const bool is_text_or_none = object == Py_None || PyUnicode_Check(object);
  if (spec.type == ValueType::kHook && !is_text_or_none) return hook_value(spec, object);
  if (spec.type == ValueType::kPythonDict) {
    // Kept as its repr for --print-config; the dict itself (which may hold any Python values)
    // is what the logging setup will need.
    if (!PyDict_Check(object)) invalid(spec);
    return {config::validate_value(spec, repr(object)), true};
  }
  if (spec.type == ValueType::kChoice && spec.accepts_python_path && PyType_Check(object))
    return {config::validate_value(spec, dotted_name(object)), true};
  return {config::validate_value(spec, plain_value(spec, object)), false};
}

}  // namespace gf::python
