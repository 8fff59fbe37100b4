// HTTP/1 on one engine connection: reads and parses requests (keep-alive, pipelining, "100
// Continue", the header/body/keep-alive timeouts), rejects malformed ones with Gunicorn's error
// pages, hands each complete request to the application side, and after its response keeps the
// connection, closes it, or lingers so that no reset destroys what was sent. No I/O of its own:
// the engine moves the bytes. A worker type derives from it to say who runs the application.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/connection.hpp"
#include "engine/protocol.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/request_reader.hpp"
#include "net/blocking_stream.hpp"

namespace gf::http {

class Http1Session : public engine::Protocol {
 public:
  struct Settings {
    const ParserOptions* parser = nullptr;
    int64_t keepalive_ns = 0;  // between requests (0: no keep-alive wait)
    int64_t header_ns = 0;     // from the first byte of a head to its end
    int64_t body_ns = 0;       // between two pieces of a body, before the application runs
    // Body bytes received before the application runs; beyond, it reads from the connection
    // itself (waiting at most the body timeout per read). Typical forms and JSON bodies fit.
    size_t prefetch_bytes = 64 * 1024;
    // The application's own reads and writes on the connection (timeouts, heartbeat).
    net::WaitPolicy app_waits;
  };

  // How a request ended, as the application side reports it.
  struct Ending {
    bool keep_alive = false;  // serve the next request on this connection
    bool abort = false;       // the client stalled past a timeout: reset, do not linger
  };

  Http1Session(engine::Connection& connection, const Settings& settings, const PeerInfo& peer);

  // The request being served (valid from run_request() until request_done()).
  const RequestHead& head() const { return *head_; }
  RequestReader& reader() { return reader_; }
  const RequestReader& reader() const { return reader_; }
  engine::Connection& connection() { return connection_; }
  const PeerInfo& peer() const { return peer_; }

  // On the loop's thread, after the application side ran (or resumed) the request: the response
  // is complete (or given up) ...
  void request_done(Ending ending);
  // ... or it is congested: resume_response() follows once the client has caught up.
  void response_paused();
  // For an application side that runs on the loop's thread and must not wait there (ASGI):
  // while the request is in the application, asks for body bytes beyond the prefetch. True when
  // some are held already (reader().prefetched_bytes()) or the body is complete; otherwise the
  // connection reads (within the body timeout) and body_arrived() follows once up to `cap` more
  // are held or the body is complete. A client that leaves or stalls meanwhile closes the
  // connection (abandon_response()).
  bool wait_body(size_t cap);
  // For the same application side, once the whole body has arrived: watches the connection
  // while the request is in the application. Bytes of a next request are kept for later; the
  // end of the client's input is reported (client_input_ended()) without closing, since a
  // client that half-closed still reads its response - the connection closes after it.
  void watch_input_end();
  // After an upgrade the application side accepted (WebSocket): from now on the engine's events
  // for this connection go to `next`, which must live as long as the session. The session still
  // hears the close (release(), abandon_response()) after `next` did.
  void hand_over(engine::Protocol& next) { successor_ = &next; }

 protected:
  // A request is ready: its head parsed and its body received up to the prefetch bound. Run
  // the application now, or lend the connection to another thread; either way end with
  // request_done() or response_paused() on the loop's thread.
  virtual void run_request() = 0;
  // The client caught up with a paused response: go on with it, as run_request() does.
  virtual void resume_response() = 0;
  // The connection ends while a response is paused (client gone, stalled, worker ending).
  virtual void abandon_response() = 0;
  // The connection ends: release what the application side keeps for it.
  virtual void release() {}
  // Body bytes asked for with wait_body() are held now (or the body is complete).
  virtual void body_arrived() {}
  // The client ended its input while its request was in the application (watch_input_end()).
  virtual void client_input_ended() {}

 private:
  enum class Phase {
    kIdle,      // keep-alive: waiting for the first byte of the next request
    kHead,      // receiving a request head
    kBody,      // head parsed; receiving the body (up to the prefetch bound)
    kInApp,     // the application is running the request (maybe on another thread)
    kAppBody,   // the application waits (without blocking) for more of the body: wait_body()
    kAppWatch,  // in the application, the connection watched for its end: watch_input_end()
    kPaused,    // the response waits for the client to take what is queued
    kFlushing,  // the response is complete, part of it still queued
  };
  enum class After { kKeepAlive, kClose, kLinger, kAbort };

  // engine::Protocol (forwarded to the successor once handed over)
  std::span<char> input_space() override {
    return successor_ != nullptr ? successor_->input_space() : reader_.receive_space();
  }
  void on_input(size_t n) override;
  void on_input_end() override;
  void on_drained() override;
  void on_deadline() override;
  void on_stop() override;
  void on_close() override;
  void advance();
  void serve();
  void reject(const RequestError& error);
  bool send_interim(std::string_view bytes);
  void finish(After after);
  void complete(After after);
  void enter(Phase phase, int64_t timeout_ns);

  bool body_held() const;

  engine::Connection& connection_;
  const Settings& settings_;
  PeerInfo peer_;
  net::BlockingStream app_stream_;  // the application side's reads beyond the prefetch
  RequestReader reader_;
  std::optional<RequestHead> head_;
  Phase phase_ = Phase::kHead;
  After after_flush_ = After::kClose;
  bool continue_sent_ = false;  // "100 Continue" already went out for this request
  bool advancing_ = false;      // advance() is on the stack: it serves what follows itself
  size_t body_cap_ = 0;         // kAppBody: how much body to hold before body_arrived()
  bool input_ended_ = false;    // the client sent its end while a request was in the app
  engine::Protocol* successor_ = nullptr;  // hand_over(): the protocol that took the connection
};

}  // namespace gf::http
