#include "python/wsgi/access_entry.hpp"
#include "util/ascii.hpp"

#include <unistd.h>

#include <cctype>
#include <string>

#include "python/embed/gil.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

using util::iequals;

// Runs while the handler has released the GIL, hence GilAcquire.
std::optional<std::string> environ_value(PyObject* environ, std::string_view name) {
  if (environ == nullptr) return std::nullopt;
  GilAcquire gil;
  PyRef key = PyRef::steal(
      PyUnicode_DecodeLatin1(name.data(), static_cast<Py_ssize_t>(name.size()), nullptr));
  PyObject* value = key ? PyDict_GetItemWithError(environ, key.get()) : nullptr;
  if (value == nullptr) {
    PyErr_Clear();
    return std::nullopt;
  }
  if (PyUnicode_Check(value)) {
    if (auto bytes = latin1_bytes(value)) return bytes;
    PyErr_Clear();
  }
  return to_utf8(value);
}

}  // namespace

void AccessEntry::write_to(log::AccessLog& log) const {
  std::string protocol = request.protocol();
  log::AccessRecord record;
  record.remote_addr = summary.remote_addr;
  record.method = request.method;
  record.raw_uri = request.target;
  record.protocol = protocol;
  record.query = request.query;
  record.path_info = summary.path_info;
  record.status = status;
  record.body_bytes = body_bytes;
  record.start = start;
  record.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  record.pid = static_cast<int>(::getpid());
  record.request_header = [this](std::string_view name) -> std::optional<std::string_view> {
    const std::string* value = request.find(name);
    if (value == nullptr) return std::nullopt;
    return std::string_view(*value);
  };
  record.response_header = [this](std::string_view name) -> std::optional<std::string_view> {
    if (response_headers == nullptr) return std::nullopt;
    for (const auto& h : *response_headers)
      if (iequals(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
  };
  PyObject* env = environ;
  record.environ_lookup = [env](std::string_view name) { return environ_value(env, name); };
  try {
    GilRelease unlocked;
    log.log(record);
  } catch (const std::exception&) {
  }
}

}  // namespace gf::python
