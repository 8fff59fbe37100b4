#include "log/access_log.hpp"

#include <unistd.h>

#include "log/fd_output.hpp"

namespace gf::log {

AccessLog::AccessLog(const std::string& path, std::string_view format)
    : path_(path), formatter_(format) {
  if (path_ != "-") {
    file_ = open_log_file(path_);
    fd_ = file_.get();
  }
}

AccessLog::~AccessLog() = default;

void AccessLog::log(const AccessRecord& record) {
  // One buffer per thread: no allocation per request once it has grown to a line's size.
  thread_local std::string line;
  line.clear();
  formatter_.render_to(record, line);
  line.push_back('\n');
  write_line(fd_, line);
}

void AccessLog::reopen() {
  if (file_) reopen_log_file_onto(path_, file_.get());
}

}  // namespace gf::log
