#include "http/http1_session.hpp"

#include "http/error_page.hpp"
#include "http/http1_serializer.hpp"
#include "log/error_log.hpp"

namespace gf::http {

Http1Session::Http1Session(engine::Connection& connection, const Settings& settings,
                           const PeerInfo& peer)
    : connection_(connection),
      settings_(settings),
      peer_(peer),
      app_stream_(connection.transport(), settings.app_waits),
      reader_(*settings.parser, app_stream_, peer_) {
  enter(Phase::kHead, settings_.header_ns);
}

void Http1Session::enter(Phase phase, int64_t timeout_ns) {
  phase_ = phase;
  connection_.set_deadline(timeout_ns);
}

void Http1Session::on_input(size_t n) {
  if (successor_ != nullptr) return successor_->on_input(n);
  reader_.received(n);
  if (phase_ == Phase::kAppBody) {
    bool broken = false;
    try {
      reader_.prefetch_body(body_cap_);
    } catch (const std::exception&) {
      broken = true;  // the application's read meets the same error
    }
    if (!broken && !body_held()) {
      connection_.want_input();
      return;
    }
    enter(Phase::kInApp, 0);
    body_arrived();
    return;
  }
  if (phase_ != Phase::kHead && phase_ != Phase::kIdle && phase_ != Phase::kBody) {
    // A next request's bytes while this one is still in the application (watch_input_end()):
    // kept until its response is done, reading on only while they are few.
    if (phase_ == Phase::kAppWatch && reader_.buffered_bytes() < settings_.prefetch_bytes)
      connection_.want_input();
    return;
  }
  advance();
}

void Http1Session::watch_input_end() {
  if (phase_ != Phase::kInApp) return;
  enter(Phase::kAppWatch, 0);
  connection_.want_input();
}

bool Http1Session::body_held() const {
  return reader_.prefetched_bytes() > 0 || reader_.body_complete();
}

bool Http1Session::wait_body(size_t cap) {
  if (body_held() || phase_ != Phase::kInApp) return true;
  try {
    if (reader_.prefetch_body(cap) || body_held()) return true;
  } catch (const std::exception&) {
    // A broken body: the application's read meets the same error.
    return true;
  }
  body_cap_ = cap;
  enter(Phase::kAppBody, settings_.body_ns);
  connection_.want_input();
  return false;
}

void Http1Session::on_input_end() {
  if (successor_ != nullptr) return successor_->on_input_end();
  if (phase_ == Phase::kAppWatch || phase_ == Phase::kInApp || phase_ == Phase::kPaused ||
      phase_ == Phase::kFlushing) {
    // Watched while in the application: the response may still go out; nothing more comes in.
    input_ended_ = true;
    if (phase_ == Phase::kAppWatch) enter(Phase::kInApp, 0);
    if (phase_ != Phase::kFlushing) client_input_ended();
    return;
  }
  try {
    reader_.received_eof();  // a clean end between requests is the common case
  } catch (const std::exception& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
  }
  connection_.close();
}

// Parses and serves what has been received, for as many pipelined requests as are complete;
// then waits for more bytes. Requests served inline come back here through request_done(), which
// leaves the next one to this loop rather than recursing.
void Http1Session::advance() {
  advancing_ = true;
  for (;;) {
    if (phase_ == Phase::kHead || phase_ == Phase::kIdle) {
      std::optional<RequestHead> head;
      try {
        head = reader_.parse_head();
      } catch (const RequestError& e) {
        advancing_ = false;
        reject(e);
        return;
      }
      if (!head) {
        // Part of a next request arrived: from now on the header timeout applies.
        if (phase_ == Phase::kIdle && reader_.has_unparsed_input())
          enter(Phase::kHead, settings_.header_ns);
        break;
      }
      head_ = std::move(head);
      continue_sent_ = false;
      enter(Phase::kBody, settings_.body_ns);
    }
    if (head_->framing.expect_continue && !continue_sent_ && !reader_.body_complete()) {
      // The client waits for this before it sends the body we want to prefetch.
      continue_sent_ = true;
      if (!send_interim(http1::kContinue)) {
        advancing_ = false;
        return;
      }
    }
    bool ready = true;
    try {
      ready = reader_.prefetch_body(settings_.prefetch_bytes);
    } catch (const BodyTooLarge&) {
      // Past limit_request_body before the app ran: it never sees the request.
      advancing_ = false;
      reject(body_too_large(settings_.parser->limit_request_body));
      return;
    } catch (const std::exception&) {
      // A broken body: the application's read meets the same error, as in the sync worker.
    }
    if (!ready) break;
    serve();
    // Served inline and kept for the next request: go on with what is buffered.
    if (connection_.closed() || (phase_ != Phase::kIdle && phase_ != Phase::kHead)) {
      advancing_ = false;
      return;
    }
  }
  advancing_ = false;
  connection_.want_input();
}

void Http1Session::serve() {
  enter(Phase::kInApp, 0);
  run_request();
}

void Http1Session::request_done(Ending ending) {
  head_.reset();
  if (connection_.closed()) return;
  connection_.restore();
  if (ending.abort) {
    // A client that stalled past its timeout: drop what is still queued for it too.
    connection_.abort();
    return;
  }
  finish(ending.keep_alive ? After::kKeepAlive : After::kClose);
}

void Http1Session::response_paused() {
  if (connection_.closed()) return;
  connection_.restore();
  enter(Phase::kPaused, 0);  // the engine's write timeout watches the client meanwhile
  connection_.notify_when_drained(connection_.output().limits().low_water);
}

// Once everything queued has gone out (keeping a response's bytes ahead of the next request's
// and of a half-close), the connection goes on, closes or lingers.
void Http1Session::finish(After after) {
  if (connection_.output().empty()) {
    complete(after);
    return;
  }
  after_flush_ = after;
  enter(Phase::kFlushing, 0);
  connection_.notify_when_drained(0);
}

void Http1Session::complete(After after) {
  if (input_ended_ && after != After::kAbort &&
      (after != After::kKeepAlive || !reader_.has_unparsed_input())) {
    connection_.close();  // the client has said all it will: no next request, nothing to drain
    return;
  }
  switch (after) {
    case After::kAbort:
      connection_.abort();
      return;
    case After::kLinger:
      connection_.linger();
      return;
    case After::kClose:
      // Unread request bytes would turn close() into a reset that can destroy the response.
      if (reader_.has_unparsed_input() || !reader_.body_complete())
        connection_.linger();
      else
        connection_.close();
      return;
    case After::kKeepAlive:
      enter(Phase::kIdle, settings_.keepalive_ns);
      if (!advancing_) advance();  // pipelined bytes may be waiting already
      return;
  }
}

void Http1Session::on_drained() {
  if (successor_ != nullptr) return successor_->on_drained();
  if (phase_ == Phase::kPaused) {
    enter(Phase::kInApp, 0);
    resume_response();
  } else if (phase_ == Phase::kFlushing) {
    complete(after_flush_);
  }
}

void Http1Session::reject(const RequestError& error) {
  head_.reset();
  if (reply_to_invalid_request(connection_.output(), peer_, error))
    finish(After::kLinger);
  else
    connection_.close();
}

// A short response from the loop's thread ("100 Continue"); false if the connection closed.
bool Http1Session::send_interim(std::string_view bytes) {
  try {
    connection_.output().write_bytes(bytes);
    return true;
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    connection_.close();
    return false;
  }
}

void Http1Session::on_deadline() {
  if (successor_ != nullptr) return successor_->on_deadline();
  switch (phase_) {
    case Phase::kIdle:
      connection_.linger();  // a request may be on its way: never answer it with a reset
      break;
    case Phase::kHead:
      log::ErrorLog::get().debug("Closing a connection that sent no complete request in time");
      connection_.close();
      break;
    case Phase::kBody:
    case Phase::kAppBody:
      log::ErrorLog::get().debug("Closing a connection whose request body stalled");
      connection_.close();
      break;
    case Phase::kInApp:
    case Phase::kAppWatch:
    case Phase::kPaused:
    case Phase::kFlushing:
      break;  // no deadline of ours: the engine's write timeout applies
  }
}

void Http1Session::on_stop() {
  if (successor_ != nullptr) successor_->on_stop();  // HTTP/1 itself needs nothing here
}

void Http1Session::on_close() {
  if (successor_ != nullptr) successor_->on_close();
  // kInApp: the worker is ending after its application threads stopped, maybe mid-response.
  if (phase_ == Phase::kPaused || phase_ == Phase::kInApp || phase_ == Phase::kAppBody ||
      phase_ == Phase::kAppWatch)
    abandon_response();
  release();
}

}  // namespace gf::http
