#include "python/app/app_expression.hpp"

#include "python/app/wsgi_app.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

[[noreturn]] void fail(const std::string& message) {
  PyErr_Clear();
  throw AppLoadError(message);
}

std::string cannot_parse(const std::string& text) {
  return "Failed to parse " + repr(text) + " as an attribute name or function call.";
}

PyRef attr(PyObject* node, const char* name) {
  return PyRef::steal(PyObject_GetAttrString(node, name));
}

bool is_node(PyObject* ast, PyObject* node, const char* type_name) {
  PyRef type = attr(ast, type_name);
  return type && PyObject_IsInstance(node, type.get()) == 1;
}

// Name or Attribute(Attribute(Name)) -> {"a", "b", "c"}; false for anything else.
bool collect_names(PyObject* ast, PyObject* node, std::vector<std::string>& names) {
  if (is_node(ast, node, "Name")) {
    PyRef id = attr(node, "id");
    if (!id) return false;
    names.insert(names.begin(), to_utf8(id.get()));
    return true;
  }
  if (is_node(ast, node, "Attribute")) {
    PyRef name = attr(node, "attr");
    PyRef value = attr(node, "value");
    if (!name || !value) return false;
    names.insert(names.begin(), to_utf8(name.get()));
    return collect_names(ast, value.get(), names);
  }
  return false;
}

// literal_eval raises ValueError (or worse) for non-literals; Gunicorn shows one generic message.
PyRef literal(PyObject* ast, PyObject* node, const std::string& text) {
  PyRef value = PyRef::steal(PyObject_CallMethod(ast, "literal_eval", "O", node));
  if (!value) fail("Failed to parse arguments as literal values: " + repr(text));
  return value;
}

void parse_call(PyObject* ast, PyObject* call, const std::string& text, AppExpression& out) {
  PyRef func = attr(call, "func");
  if (!func || !is_node(ast, func.get(), "Name"))
    fail("Function reference must be a simple name: " + repr(text));
  PyRef id = attr(func.get(), "id");
  out.names = {to_utf8(id.get())};
  out.is_call = true;

  PyRef arg_nodes = attr(call, "args");
  PyRef keywords = attr(call, "keywords");
  if (!arg_nodes || !keywords) fail(cannot_parse(text));
  Py_ssize_t nargs = PyList_Size(arg_nodes.get());
  out.args = PyRef::steal(PyTuple_New(nargs));
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    PyRef value = literal(ast, PyList_GET_ITEM(arg_nodes.get(), i), text);
    PyTuple_SET_ITEM(out.args.get(), i, value.release());
  }
  out.kwargs = PyRef::steal(PyDict_New());
  for (Py_ssize_t i = 0; i < PyList_Size(keywords.get()); ++i) {
    PyObject* keyword = PyList_GET_ITEM(keywords.get(), i);
    PyRef name = attr(keyword, "arg");
    PyRef value_node = attr(keyword, "value");
    if (!name || name.get() == Py_None || !value_node)  // **kwargs is not a literal
      fail("Failed to parse arguments as literal values: " + repr(text));
    PyRef value = literal(ast, value_node.get(), text);
    PyDict_SetItem(out.kwargs.get(), name.get(), value.get());
  }
}

}  // namespace

AppExpression AppExpression::parse(const std::string& text) {
  PyRef ast = PyRef::steal(PyImport_ImportModule("ast"));
  if (!ast) fail("cannot import the ast module");
  PyRef tree = PyRef::steal(
      PyObject_CallMethod(ast.get(), "parse", "sss", text.c_str(), "<app spec>", "eval"));
  if (!tree) fail(cannot_parse(text));
  PyRef body = attr(tree.get(), "body");
  if (!body) fail(cannot_parse(text));

  AppExpression out;
  if (is_node(ast.get(), body.get(), "Call")) {
    parse_call(ast.get(), body.get(), text, out);
  } else if (!collect_names(ast.get(), body.get(), out.names)) {
    fail(cannot_parse(text));
  }
  return out;
}

}  // namespace gf::python
