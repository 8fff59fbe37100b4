// Per-connection facts every worker type needs: who the peer is, whether it is trusted for
// forwarded headers and PROXY headers, and what the environ's SERVER_NAME/PORT are.
#pragma once

#include <sys/socket.h>

#include <string>

#include "config/config.hpp"
#include "http/parser_options.hpp"
#include "net/ip_allow_list.hpp"
#include "net/listener.hpp"
#include "python/wsgi/wsgi_call.hpp"

namespace gf::workers {

class ConnectionSetup {
 public:
  explicit ConnectionSetup(const config::Config& cfg);

  http::PeerInfo peer(const sockaddr_storage& addr, socklen_t len) const;
  static python::ConnectionInfo connection(const net::Listener& listener, int client_fd,
                                           const http::PeerInfo& peer);

 private:
  net::IpAllowList forwarded_allow_;
  net::IpAllowList proxy_allow_;
};

}  // namespace gf::workers
