// wsgi.errors: a C-level text stream writing straight to the error log's file descriptor (the
// file behind --error-logfile, stderr by default), looked up at each write so USR1 reopen works.
#pragma once

#include "python/embed/py_ref.hpp"

namespace gf::python {

class WsgiErrors {
 public:
  static PyRef create();  // requires the GIL; one instance is shared by every request
};

}  // namespace gf::python
