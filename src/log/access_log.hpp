// The access log ("gunicorn.access"): the format string is compiled once into literal runs and
// atoms (%(h)s, %({name}i)s, ...), then each request is rendered natively, without Python.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace gf::log {

// Everything an access-log line can mention about one finished request. Views stay valid for
// the duration of the log() call. (log/ sits above http/, so no http types here.)
struct AccessRecord {
  std::string_view remote_addr;  // REMOTE_ADDR ("" on UNIX sockets)
  std::string_view method;
  std::string_view raw_uri;      // RAW_URI
  std::string_view protocol;     // SERVER_PROTOCOL, "HTTP/1.1"
  std::string_view query;        // QUERY_STRING
  std::string_view path_info;    // PATH_INFO (decoded)
  std::string_view status;       // full status "200 OK" (atom s is its first token)
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
  explicit AccessLogFormatter(std::string_view format);
  std::string render(const AccessRecord& record) const;

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
  int fd_ = 1;
};

}  // namespace gf::log
