#include "engine/accept_burst.hpp"

#include "engine/engine.hpp"

namespace gf::engine {
namespace {
// Connections accepted per listener wake-up before other events get a turn.
constexpr int kAcceptBurst = 64;
}  // namespace

AcceptResult accept_burst(const net::Listener& listener, const Engine& engine,
                          const AcceptedCallback& accepted) {
  for (int i = 0; i < kAcceptBurst; ++i) {
    if (!engine.accepting()) return AcceptResult::kCapped;
    const net::Accepted client = net::accept_client(listener, /*nonblocking=*/true);
    if (client.status == net::Accepted::kNone) break;
    if (client.status == net::Accepted::kExhausted) return AcceptResult::kExhausted;
    accepted(listener, client);
  }
  return AcceptResult::kRearm;
}

}  // namespace gf::engine
