// Taking new clients off a readable listener, as every reactor does it: a bounded burst (so other
// events get a turn), never past the engine's connection cap, and a stop when descriptors run out
// (the reactor then waits net::kAcceptBackoff instead of spinning on a listener that stays
// readable).
#pragma once

#include <functional>

#include "net/acceptor.hpp"
#include "net/listener.hpp"

namespace gf::engine {

class Engine;

using AcceptedCallback = std::function<void(const net::Listener&, const net::Accepted&)>;

enum class AcceptResult {
  kRearm,      // wait for the listener to be readable again
  kCapped,     // the engine stopped accepting (cap or stop): resume_accepting() re-arms
  kExhausted,  // out of descriptors: re-arm after net::kAcceptBackoff
};

AcceptResult accept_burst(const net::Listener& listener, const Engine& engine,
                          const AcceptedCallback& accepted);

}  // namespace gf::engine
