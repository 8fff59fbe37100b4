// The client sockets of an engine as an event loop watches them: one edge-triggered epoll set
// (net::ReadinessSet, registered once per socket) whose own descriptor the loop waits on, and the
// tokens that name connections in it. Shared by every Reactor (Asio's EventLoop, the asyncio
// reactor of the ASGI worker), which only has to say when the set's descriptor is readable.
#pragma once

#include <array>

#include "engine/connection.hpp"
#include "net/readiness_set.hpp"
#include "util/token_slots.hpp"

namespace gf::engine {

class Engine;

class ReadinessDispatch {
 public:
  // The descriptor to wait on: readable while some connection has an event not yet delivered.
  int fd() const { return readiness_.fd(); }

  // Reactor::watch / Reactor::forget.
  void watch(Connection& c, bool writable);
  void forget(Connection& c);
  // Delivers what is ready (a batch) to `engine`; events of connections closed since are dropped.
  void dispatch(Engine& engine);

 private:
  net::ReadinessSet readiness_;
  std::array<net::ReadinessSet::Event, 128> events_;
  util::TokenSlots<Connection> tokens_;  // names connections in `readiness_`
};

}  // namespace gf::engine
