// Test doubles for the engine: a transport over in-memory bytes (with a chosen room for output),
// a reactor that records what the engine asks of it, and a protocol that records what it hears.
// No sockets, no event loop: the tests deliver readiness by hand.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "engine/connection.hpp"
#include "engine/engine.hpp"
#include "engine/protocol.hpp"
#include "engine/reactor.hpp"
#include "net/transport.hpp"

namespace gf::engine::testing {

// What the client did and saw, kept after the transport itself is gone.
struct Wire {
  std::string input;         // bytes the client sent, not yet read by the server
  bool input_ended = false;  // the client closed its side after `input`
  std::string output;        // bytes the server sent
  size_t room = SIZE_MAX;    // how many more bytes the client takes now
  bool shut_down = false;    // the server half-closed
  bool reset = false;        // the server asked for a reset on close
  bool closed = false;
  int reads = 0;
  int writes = 0;  // write calls that sent something
};

inline Wire sends(std::string input, size_t room = SIZE_MAX, bool input_ended = false) {
  Wire wire;
  wire.input = std::move(input);
  wire.room = room;
  wire.input_ended = input_ended;
  return wire;
}

class FakeTransport final : public net::Transport {
 public:
  explicit FakeTransport(Wire& wire) : wire_(wire) {}
  int fd() const override { return -1; }
  net::IoResult read(std::span<char> out) override {
    ++wire_.reads;
    if (wire_.closed) return {net::IoResult::kFailed, 0, EBADF};
    if (wire_.input.empty())
      return wire_.input_ended ? net::IoResult{net::IoResult::kClosed, 0, 0}
                               : net::IoResult{net::IoResult::kWouldBlock, 0, EAGAIN};
    const size_t n = std::min(out.size(), wire_.input.size());
    std::memcpy(out.data(), wire_.input.data(), n);
    wire_.input.erase(0, n);
    return net::IoResult::done(n);
  }
  net::IoResult write(std::span<const iovec> parts) override {
    if (wire_.closed) return {net::IoResult::kFailed, 0, EBADF};
    size_t n = 0;
    for (const iovec& part : parts) {
      const size_t take = std::min(part.iov_len, wire_.room);
      wire_.output.append(static_cast<const char*>(part.iov_base), take);
      wire_.room -= take;
      n += take;
      if (take < part.iov_len) break;
    }
    if (n == 0) return {net::IoResult::kWouldBlock, 0, EAGAIN};
    ++wire_.writes;
    return net::IoResult::done(n);
  }
  net::IoResult send_file(int, off_t, size_t) override {
    return {net::IoResult::kFailed, 0, ENOSYS};
  }
  bool shutdown_write() override { return wire_.shut_down = true; }
  void reset_on_close() override { wire_.reset = true; }
  void close() override { wire_.closed = true; }
  bool wait(net::Readiness, int) override { return true; }

 private:
  Wire& wire_;
};

class FakeReactor final : public Reactor {
 public:
  void watch(Connection& c, bool writable) override {
    if (c.token == 0) c.token = ++next_token;
    c.watching_writes = writable;
    watches.push_back(writable);
  }
  void forget(Connection& c) override {
    c.token = 0;
    ++forgotten;
  }
  void schedule_deferred() override { ++deferred_scheduled; }
  void pause_accepting() override { accepting = false; }
  void resume_accepting() override { accepting = true; }
  void stop() override { stopped = true; }
  int64_t now_ns() const override { return now; }

  int64_t now = 1'000'000'000;
  uint64_t next_token = 0;
  std::vector<bool> watches;  // the write interest of every watch() call
  int forgotten = 0;
  int deferred_scheduled = 0;
  bool accepting = true;
  bool stopped = false;
};

// Records everything; `on_bytes` decides what to do with input (default: keep reading).
class FakeProtocol final : public Protocol {
 public:
  explicit FakeProtocol(Connection& c, size_t space = 64) : c_(c), buffer_(space) {}
  std::span<char> input_space() override { return buffer_; }
  void on_input(size_t n) override {
    received.append(buffer_.data(), n);
    if (on_bytes)
      on_bytes(c_);
    else
      c_.want_input();
  }
  void on_input_end() override {
    ended = true;
    c_.close();
  }
  void on_drained() override { ++drained; }
  void on_deadline() override {
    ++deadlines;
    c_.close();
  }
  void on_stop() override { ++stops; }
  void on_close() override { ++closes; }

  std::string received;
  bool ended = false;
  int drained = 0;
  int deadlines = 0;
  int stops = 0;
  int closes = 0;
  std::function<void(Connection&)> on_bytes;

 private:
  Connection& c_;
  std::vector<char> buffer_;
};

// Opens a connection over `wire` with a FakeProtocol; returns both.
struct Opened {
  Connection* connection = nullptr;
  FakeProtocol* protocol = nullptr;
};

inline Opened open(Engine& engine, Wire& wire, size_t space = 64,
                   std::function<void(Connection&)> on_bytes = nullptr) {
  Opened opened;
  engine.open(std::make_unique<FakeTransport>(wire), [&](Connection& c) {
    auto protocol = std::make_unique<FakeProtocol>(c, space);
    protocol->on_bytes = on_bytes;
    opened.connection = &c;
    opened.protocol = protocol.get();
    return protocol;
  });
  return opened;
}

}  // namespace gf::engine::testing
