#include "engine/readiness_dispatch.hpp"

#include "engine/engine.hpp"

namespace gf::engine {

void ReadinessDispatch::watch(Connection& c, bool writable) {
  if (c.token == 0) {
    c.token = tokens_.add(&c);
    try {
      readiness_.add(c.transport().fd(), c.token, writable);
    } catch (...) {
      tokens_.remove(c.token);
      c.token = 0;
      throw;
    }
  } else {
    readiness_.watch_writable(c.transport().fd(), c.token, writable);
  }
  c.watching_writes = writable;
}

void ReadinessDispatch::forget(Connection& c) {
  // Closing the socket takes it out of the epoll set (unless the app holds a duplicate, whose
  // late events then carry a stale token).
  tokens_.remove(c.token);
  c.token = 0;
}

void ReadinessDispatch::dispatch(Engine& engine) {
  for (const auto& event : readiness_.take_ready(events_)) {
    Connection* c = tokens_.find(event.token);
    if (c == nullptr) continue;  // closed since (or a late event of a socket the app kept)
    if (event.readable) engine.on_readable(*c);
    if (event.writable && tokens_.find(event.token) == c) engine.on_writable(*c);
  }
}

}  // namespace gf::engine
