// One client connection of the gthread worker: its socket, the request reader that keeps the
// received bytes across keep-alive requests, and where the connection is in its life. The loop
// thread owns it, except while the application runs a request on it (phase kInApp).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>

#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/request_reader.hpp"
#include "net/listener.hpp"
#include "net/socket_stream.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "workers/connection_setup.hpp"

namespace gf::workers {

enum class Phase {
  kIdle,      // keep-alive: waiting for the first byte of the next request
  kHead,      // receiving a request head
  kBody,      // head parsed; receiving the body (up to the prefetch bound) before the app runs
  kInApp,     // the application is running the request (maybe on a pool thread)
  kDraining,  // half-closed: discarding what the client still sends, then closing
};

struct GthreadConnection {
  GthreadConnection(int fd, const net::Listener& listener, const http::PeerInfo& peer,
                    const http::ParserOptions& options, const net::WaitPolicy& waits)
      : native_fd(fd),
        listener(listener),
        peer(peer),
        stream(fd, waits),
        reader(options, stream, this->peer),
        info(ConnectionSetup::connection(listener, fd, this->peer)) {
    info.cache = &python_cache;
  }

  int fd() const { return native_fd; }

  int native_fd;  // owned: closed by the worker's close()
  const net::Listener& listener;
  http::PeerInfo peer;
  net::SocketStream stream;  // the application side's blocking-with-timeout view of the socket
  http::RequestReader reader;
  std::optional<http::RequestHead> head;  // the request being served
  // Python objects for all of the connection's requests; dropped with the GIL held
  // (GthreadWorker), never by this struct's destructor.
  python::ConnectionCache python_cache;
  python::ConnectionInfo info;  // what the app's environ says of the connection (built once)
  Phase phase = Phase::kHead;
  int64_t deadline_ns = 0;     // when the current phase times out (0: never)
  bool continue_sent = false;  // "100 Continue" already went out for this request
  bool keep_alive = false;     // set by the request's handling: serve another one
  bool abort = false;          // the client stalled past a timeout: reset, do not linger
  bool closed = false;
  // The loop's receiving (GthreadWorker's read_now). The socket joins the loop's readiness set
  // only when the connection first has to wait: a request complete at accept (TCP_DEFER_ACCEPT)
  // that closes after its response never does.
  uint64_t token = 0;    // its name in the readiness set; 0 until it joins
  bool waiting = false;  // the loop reads as soon as the set reports bytes
  // The last read came back short and no bytes were reported since: waiting needs no read first.
  bool drained = false;
  std::list<std::shared_ptr<GthreadConnection>>::iterator registry_entry;
};

}  // namespace gf::workers
