// The access log ("gunicorn.access"): the format string is compiled once into literal runs and
// atoms (%(h)s, %({name}i)s, ...), then each request is rendered natively, without Python.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/unique_fd.hpp"

namespace gf::log {

// Everything an access-log line can mention about one finished request. Views stay valid for
// the duration of the log() call. (log/ sits above http/, so no http types here.)
struct AccessRecord {
  std::string_view remote_addr;  // REMOTE_ADDR ("" on UNIX sockets)
  std::string_view method;
  std::string_view raw_uri;            // RAW_URI
  std::string_view protocol;           // SERVER_PROTOCOL, "HTTP/1.1"
  std::string_view query;              // QUERY_STRING
  std::string_view path_info;          // PATH_INFO (decoded)
  std::string_view status;             // full status "200 OK" (atom s is its first token)
  std::optional<uint64_t> body_bytes;  // B/b; nullopt renders b as "-"
  std::chrono::system_clock::time_point start;
  std::chrono::microseconds duration{0};
  int pid = 0;
  // Request header by upper-case name ("USER-AGENT"), response header by any-case name,
  // environ variable by exact name. Each may be empty (renders "-").
  std::function<std::optional<std::string_view>(std::string_view)> request_header;
  std::function<std::optional<std::string_view>(std::string_view)> response_header;
  std::function<std::optional<std::string>(std::string_view)> environ_lookup;
};

class AccessLogFormatter {
 public:
  // Never throws on odd formats: what Python's % would reject renders literally or as "-".
  explicit AccessLogFormatter(std::string_view format);
  ~AccessLogFormatter();
  AccessLogFormatter(const AccessLogFormatter&);
  AccessLogFormatter& operator=(const AccessLogFormatter&);
  AccessLogFormatter(AccessLogFormatter&&) noexcept;
  AccessLogFormatter& operator=(AccessLogFormatter&&) noexcept;

  std::string render(const AccessRecord& record) const;
  // Appends the line (no newline) to `out`; lets callers reuse one buffer per thread.
  void render_to(const AccessRecord& record, std::string& out) const;

 private:
  struct Segment;
  std::vector<Segment> segments_;
};

class AccessLog {
 public:
  // path "-" = stdout. Throws std::runtime_error when the file cannot be opened.
  AccessLog(const std::string& path, std::string_view format);
  ~AccessLog();
  void log(const AccessRecord& record);
  void reopen();

 private:
  std::string path_;
  AccessLogFormatter formatter_;
  util::UniqueFd file_;  // empty for "-"
  int fd_ = 1;           // file_.get() or 1; its number never changes across reopen()
};

}  // namespace gf::log
