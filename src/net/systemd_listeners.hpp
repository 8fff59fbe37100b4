// systemd socket activation: the sockets a `.socket` unit passed to this process (LISTEN_FDS
// starting at fd 3, for LISTEN_PID), adopted as listeners instead of binding --bind.
#pragma once

#include <vector>

#include "net/listener.hpp"

namespace gf::net {

inline constexpr int kSystemdFirstFd = 3;  // SD_LISTEN_FDS_START

// How many fds systemd passed to *this* process: LISTEN_FDS when LISTEN_PID == getpid(), else
// 0. When they are ours both variables are removed, so workers and children do not pick them up.
int take_systemd_listen_fds();

// Adopts fds 3..3+count-1 (Listener::adopt: listen(backlog), non-blocking, close-on-exec).
// Throws BindError when one is not a stream socket.
std::vector<Listener> adopt_systemd_listeners(int count, int backlog);

}  // namespace gf::net
