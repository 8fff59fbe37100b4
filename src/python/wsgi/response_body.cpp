#include "python/wsgi/response_body.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>

#include "config/derived_settings.hpp"
#include "python/embed/gil.hpp"
#include "python/wsgi/exception_types.hpp"
#include "python/wsgi/file_wrapper.hpp"
#include "python/wsgi/start_response.hpp"
#include "python/wsgi/writer_call.hpp"
#include "util/stream.hpp"

namespace gf::python {
namespace {

// getattr(obj, name, None) without raising and discarding an AttributeError.
int lookup_optional(PyObject* obj, PyObject* name, PyObject** out) {
#if PY_VERSION_HEX >= 0x030D0000
  return PyObject_GetOptionalAttr(obj, name, out);
#else
  return _PyObject_LookupAttr(obj, name, out);
#endif
}

bool require_started(const RequestState& state) {
  if (state.writer->started()) return true;
  PyErr_SetString(PyExc_AssertionError, "The application did not call start_response()");
  return false;
}

}  // namespace

ResponseBody::ResponseBody(bool sendfile_enabled)
    : sendfile_enabled_(sendfile_enabled),
      close_name_(PyRef::steal(PyUnicode_InternFromString("close"))),
      fileno_name_(PyRef::steal(PyUnicode_InternFromString("fileno"))) {}

bool ResponseBody::sendfile_setting(const config::Config& cfg) {
  return config::sendfile_enabled(cfg);
}

BodyStep ResponseBody::send(PyObject* result, RequestState& state, BodyCursor& cursor,
                            bool can_pause) const {
  if (!cursor.started) {
    cursor.started = true;
    if (sendfile_enabled_ && FileWrapper::check(result)) {
      bool sent = false;
      if (!send_file(FileWrapper::filelike(result), state, sent)) return BodyStep::kFailed;
      if (sent) return BodyStep::kDone;
    }
  }
  return iterate(result, state, cursor, can_pause);
}

// From the file's current offset to its end (the writer truncates to Content-Length), then the
// offset is put back, as Gunicorn does. sent=false: not a real file, iterate instead.
bool ResponseBody::send_file(PyObject* filelike, RequestState& state, bool& sent) const {
  if (filelike == nullptr) return true;
  PyRef fileno = PyRef::steal(PyObject_CallMethodNoArgs(filelike, fileno_name_.get()));
  if (!fileno) return PyErr_Clear(), true;  // io.BytesIO & co: UnsupportedOperation
  long fd_value = PyLong_Check(fileno.get()) ? PyLong_AsLong(fileno.get()) : -1;
  if (fd_value < 0 || fd_value > INT_MAX) return PyErr_Clear(), true;
  int fd = static_cast<int>(fd_value);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return true;
  off_t offset = ::lseek(fd, 0, SEEK_CUR);
  if (offset < 0) return true;

  if (!require_started(state)) return false;
  size_t count = st.st_size > offset ? static_cast<size_t>(st.st_size - offset) : 0;
  if (!call_writer(state, [&](http::ResponseSink& w) { w.send_file(fd, offset, count); }))
    return false;
  ::lseek(fd, offset, SEEK_SET);
  sent = true;
  return true;
}

namespace {
// Between two chunks: go on, pause, or (for a producer that must not pause) wait here.
BodyStep after_chunk(RequestState& state, bool can_pause) {
  if (!state.writer->congested()) return BodyStep::kDone;
  if (can_pause) return BodyStep::kPaused;
  return call_writer(state, [](http::ResponseSink& sink) { sink.wait_uncongested(); })
             ? BodyStep::kDone
             : BodyStep::kFailed;
}
}  // namespace

BodyStep ResponseBody::iterate(PyObject* result, RequestState& state, BodyCursor& cursor,
                               bool can_pause) const {
  if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) {
    // The common "return [body]": no iterator object. Items are held while the GIL is released.
    while (cursor.index < PySequence_Fast_GET_SIZE(result)) {
      PyRef item = PyRef::borrow(PySequence_Fast_GET_ITEM(result, cursor.index++));
      if (!write_body_chunk(state, item.get())) return BodyStep::kFailed;
      if (const BodyStep next = after_chunk(state, can_pause); next != BodyStep::kDone) return next;
    }
    return require_started(state) ? BodyStep::kDone : BodyStep::kFailed;
  }
  if (!cursor.iterator) {
    cursor.iterator = PyRef::steal(PyObject_GetIter(result));
    if (!cursor.iterator) return BodyStep::kFailed;
  }
  while (PyRef item = PyRef::steal(PyIter_Next(cursor.iterator.get()))) {
    if (!write_body_chunk(state, item.get())) return BodyStep::kFailed;
    if (const BodyStep next = after_chunk(state, can_pause); next != BodyStep::kDone) return next;
  }
  if (PyErr_Occurred()) return BodyStep::kFailed;
  return require_started(state) ? BodyStep::kDone : BodyStep::kFailed;
}

bool ResponseBody::close(PyObject* result) const {
  if (result == nullptr || PyList_CheckExact(result) || PyTuple_CheckExact(result) ||
      PyBytes_CheckExact(result))
    return true;
  PyObject* close = nullptr;
  if (lookup_optional(result, close_name_.get(), &close) < 0) return false;
  if (close == nullptr) return true;
  PyRef method = PyRef::steal(close);
  return static_cast<bool>(PyRef::steal(PyObject_CallNoArgs(method.get())));
}

}  // namespace gf::python
