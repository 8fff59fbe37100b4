#include "workers/connection_setup.hpp"

#include "net/peer_address.hpp"

namespace gf::workers {

ConnectionSetup::ConnectionSetup(const config::Config& cfg)
    : forwarded_allow_(cfg.get(config::settings::forwarded_allow_ips)),
      proxy_allow_(cfg.get(config::settings::proxy_allow_ips)) {}

http::PeerInfo ConnectionSetup::peer(const sockaddr_storage& addr, socklen_t len) const {
  http::PeerInfo peer;
  if (addr.ss_family == AF_UNIX || len <= sizeof(sa_family_t)) {
    // UNIX-socket peers are the local proxy: always trusted, as in Gunicorn.
    peer.is_unix = true;
    return peer;
  }
  auto [ip, port] = net::peer_address(addr);
  peer.addr = std::move(ip);
  peer.port = port;
  peer.trusted_forwarder = forwarded_allow_.allows(addr);
  peer.proxy_allowed = proxy_allow_.allows(addr);
  return peer;
}

python::ConnectionInfo ConnectionSetup::connection(const net::Listener& listener, int client_fd,
                                                   const http::PeerInfo& peer) {
  python::ConnectionInfo conn;
  conn.peer = &peer;
  // UNIX sockets have no name/port of their own: the environ takes them from Host instead.
  if (!listener.is_unix()) {
    conn.server_name = listener.host();
    conn.server_port = listener.port_text();
  }
  conn.socket_fd = client_fd;
  conn.socket_family = listener.family();
  return conn;
}

}  // namespace gf::workers
