#include "log/fd_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gf::log {

void write_line(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

util::UniqueFd open_log_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error("could not open log file '" + path + "': " + std::strerror(errno));
  }
  return util::UniqueFd(fd);
}

void reopen_log_file_onto(const std::string& path, int fd) {
  util::UniqueFd fresh = open_log_file(path);
  if (fresh.get() == fd) {  // cannot happen while fd is open, but never dup3 onto itself
    fresh.release();
    return;
  }
  if (::dup3(fresh.get(), fd, O_CLOEXEC) < 0) {
    throw std::runtime_error("could not reopen log file '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace gf::log
