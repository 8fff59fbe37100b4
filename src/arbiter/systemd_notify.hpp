// sd_notify() without libsystemd: one datagram to $NOTIFY_SOCKET, so `Type=notify` (and
// `notify-reload`) units learn when the master is ready, reloading or stopping.
#pragma once

#include <string_view>

namespace gf::arbiter {

// Sends `state` ("READY=1\nSTATUS=...") when NOTIFY_SOCKET names a filesystem path ("/...") or
// an abstract socket ("@..."). Returns false when there is nowhere to send or sending failed;
// failures are logged at debug level only (notification is best effort, as in Gunicorn).
bool sd_notify(std::string_view state);

// True when NOTIFY_SOCKET is set at all (used for the --daemon warning).
bool notify_socket_set();

}  // namespace gf::arbiter
