// The transport of a plain TCP or UNIX connection: recv, sendmsg and sendfile on the socket,
// which it owns (closed with the object).
#pragma once

#include "net/transport.hpp"
#include "util/unique_fd.hpp"

namespace gf::net {

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : socket_(fd) {}

  int fd() const override { return socket_.get(); }
  IoResult read(std::span<char> out) override;
  IoResult write(std::span<const iovec> parts) override;
  IoResult send_file(int file, off_t offset, size_t count) override;
  bool shutdown_write() override;
  void reset_on_close() override;
  void close() override { socket_.reset(); }
  bool wait(Readiness what, int timeout_ms) override;

 private:
  util::UniqueFd socket_;
};

}  // namespace gf::net
