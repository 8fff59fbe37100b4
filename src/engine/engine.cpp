#include "engine/engine.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "log/error_log.hpp"

namespace gf::engine {
namespace {

// Reads of a lingering connection per turn, before the others get theirs.
constexpr int kDiscardReads = 16;

}  // namespace

// ---- Connection: the protocols' handle ---------------------------------------------------

void Connection::want_input() {
  engine_.want_input(*this);
}
void Connection::notify_when_drained(size_t level) {
  engine_.notify_when_drained(*this, level);
}
void Connection::set_deadline(int64_t timeout_ns) {
  deadline_ns_ = timeout_ns > 0 ? engine_.now_ns() + timeout_ns : 0;
}
void Connection::restore() {
  engine_.restore(*this);
}
void Connection::linger() {
  engine_.linger(*this);
}
void Connection::close() {
  engine_.close(*this);
}
void Connection::flush_later(void* self) {
  auto* c = static_cast<Connection*>(self);
  c->engine_.schedule_flush(*c);
}
void Connection::abort() {
  if (closed_) return;
  transport_->reset_on_close();
  engine_.close(*this);
}

// ---- Engine --------------------------------------------------------------------------------

Engine::Engine(Reactor& reactor, const EngineLimits& limits)
    : reactor_(reactor), limits_(limits), now_ns_(reactor.now_ns()) {}

Engine::~Engine() = default;

Connection& Engine::add(std::unique_ptr<net::Transport> transport) {
  collect();
  auto owned = std::make_unique<Connection>(*this, std::move(transport), limits_.output);
  Connection& c = *owned;
  c.self_ = open_.insert(open_.end(), std::move(owned));
  if (++count_ >= limits_.max_connections) reactor_.pause_accepting();
  return c;
}

void Engine::start(Connection& c) {
  // TCP_DEFER_ACCEPT usually hands over the connection with its request already received:
  // read it now, without first registering the socket for a readiness wait.
  read_now(c);
  pump(c);
}

// Reads what the transport holds now and hands it to the protocol. Sockets that have to wait sit
// in the reactor's readiness set, registered once; every readiness report is remembered
// (input_drained_ = false) even while nobody waits, so none is lost while the connection is lent.
void Engine::read_now(Connection& c) {
  if (c.lingering_) {
    discard_input(c);
    return;
  }
  std::span<char> space;
  try {
    space = c.protocol_->input_space();
  } catch (const std::exception& e) {  // the protocol's limits should have fired first
    log::ErrorLog::get().debug("Closing connection: {}", e.what());
    close(c);
    return;
  }
  const net::IoResult r = c.transport_->read(space);
  switch (r.status) {
    case net::IoResult::kDone:
      c.input_drained_ = r.bytes < space.size();
      c.protocol_->on_input(r.bytes);
      break;
    case net::IoResult::kClosed:
      c.protocol_->on_input_end();
      break;
    case net::IoResult::kWouldBlock:
      c.input_drained_ = true;
      wait_input(c);
      break;
    case net::IoResult::kFailed:
      log::ErrorLog::get().debug("Ignored premature client disconnection. {}",
                                 std::strerror(r.error));
      close(c);
      break;
  }
}

void Engine::wait_input(Connection& c) {
  if (c.closed_) return;
  if (c.token == 0) {
    try {
      reactor_.watch(c, c.watching_writes);  // also reports bytes that came since the last read
    } catch (const std::exception& e) {
      log::ErrorLog::get().error("Cannot wait on a connection: {}", e.what());
      close(c);
      return;
    }
  }
  c.waiting_input_ = true;
}

void Engine::want_input(Connection& c) {
  if (c.closed_) return;
  if (c.input_drained_) {
    wait_input(c);
    return;
  }
  // Bytes may be queued already (the last read filled the buffer, or some came while the
  // connection was lent): read in a next turn, so that a client streaming pipelined requests
  // neither nests reads without end nor starves the others.
  if (c.read_scheduled_) return;
  c.read_scheduled_ = true;
  schedule_turn();
  deferred_reads_.push_back(&c);
}

void Engine::schedule_flush(Connection& c) {
  if (c.flush_scheduled_ || c.closed_) return;
  c.flush_scheduled_ = true;
  schedule_turn();
  deferred_flushes_.push_back(&c);
}

void Engine::schedule_turn() {
  if (turn_scheduled_) return;
  turn_scheduled_ = true;
  reactor_.schedule_deferred();
}

void Engine::run_deferred() {
  collect();
  turn_scheduled_ = false;
  // What this turn's requests answered goes out first, back to back.
  std::vector<Connection*> flushes;
  flushes.swap(deferred_flushes_);
  for (Connection* c : flushes) {
    c->flush_scheduled_ = false;
    if (!c->closed_) pump(*c);
  }
  std::vector<Connection*> due;
  due.swap(deferred_reads_);
  for (Connection* c : due) {
    c->read_scheduled_ = false;
    if (c->closed_) continue;
    if (c->lent_) {  // asked for input, then lent: restore() will ask again
      continue;
    }
    read_now(*c);
    pump(*c);
  }
}

void Engine::on_readable(Connection& c) {
  collect();
  c.input_drained_ = false;
  if (!c.waiting_input_ || c.lent_) return;
  c.waiting_input_ = false;
  read_now(c);
  pump(c);
}

void Engine::on_writable(Connection& c) {
  collect();
  if (!c.lent_) pump(c);
}

// Pushes queued output out as the socket allows, keeps watching for room while some is left
// (with the write timeout running from the last progress), and tells the protocol once the level
// it waits for is reached.
void Engine::pump(Connection& c) {
  if (c.closed_ || c.lent_) return;
  Output& out = c.output_;
  if (!out.empty()) {
    const size_t before = out.pending();
    if (out.flush() == Output::Flush::kFailed) {
      log::ErrorLog::get().debug("Ignored premature client disconnection. {}", out.failure());
      close(c);
      return;
    }
    if ((out.pending() < before || c.write_deadline_ns_ == 0) && limits_.write_timeout_ns > 0)
      c.write_deadline_ns_ = now_ns_ + limits_.write_timeout_ns;
  }
  try {
    if (out.empty()) {
      c.write_deadline_ns_ = 0;
      if (c.watching_writes) reactor_.watch(c, false);
    } else if (!c.watching_writes) {
      reactor_.watch(c, true);
    }
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Cannot wait on a connection: {}", e.what());
    close(c);
    return;
  }
  if (c.awaiting_drain_ && out.pending() <= c.drain_level_) {
    c.awaiting_drain_ = false;
    c.protocol_->on_drained();
  }
}

void Engine::notify_when_drained(Connection& c, size_t level) {
  if (c.closed_) return;
  c.awaiting_drain_ = true;
  c.drain_level_ = level;
  if (!c.flush_scheduled_) pump(c);  // else the turn's flush reports it
}

void Engine::restore(Connection& c) {
  c.lent_ = false;
  pump(c);
}

// Half-close, then read and discard until the client closes too (or linger_ns): closing with
// unread bytes would reset the connection and could destroy what was just sent, including a
// request the client put on the wire while we decided to close.
void Engine::linger(Connection& c) {
  if (c.closed_) return;
  if (!c.transport_->shutdown_write()) {
    close(c);
    return;
  }
  c.lingering_ = true;
  c.awaiting_drain_ = false;
  c.deadline_ns_ = now_ns_ + limits_.linger_ns;
  c.waiting_input_ = false;
  discard_input(c);
}

void Engine::discard_input(Connection& c) {
  static std::array<char, 4096> scratch;  // never read: one per process is enough
  for (int i = 0; i < kDiscardReads; ++i) {
    const net::IoResult r = c.transport_->read(scratch);
    if (r.status == net::IoResult::kDone) continue;
    if (r.status == net::IoResult::kWouldBlock) {
      c.input_drained_ = true;
      wait_input(c);
    } else {
      close(c);
    }
    return;
  }
  c.input_drained_ = false;  // a client still sending: give the others a turn first
  want_input(c);
}

void Engine::close(Connection& c) {
  if (c.closed_) return;
  c.closed_ = true;
  reactor_.forget(c);
  if (c.read_scheduled_) std::erase(deferred_reads_, &c);
  if (c.flush_scheduled_) std::erase(deferred_flushes_, &c);
  if (c.protocol_) c.protocol_->on_close();
  c.output_.discard();
  c.transport_->close();  // now, not when the object goes: the client sees the end at once
  closed_.push_back(std::move(*c.self_));
  open_.erase(c.self_);
  const bool was_full = count_-- >= limits_.max_connections;
  if (was_full && !stopping_) reactor_.resume_accepting();
  if (stopping_ && open_.empty()) reactor_.stop();
}

void Engine::collect() {
  closed_.clear();
}

void Engine::sweep() {
  collect();
  const int64_t now = now_ns_ = reactor_.now_ns();
  if (stopping_ && now >= stop_deadline_ns_) {
    reactor_.stop();
    return;
  }
  for (auto it = open_.begin(); it != open_.end();) {
    Connection& c = **it++;  // closing moves the current entry out of the list
    if (c.lent_) continue;
    if (c.write_deadline_ns_ != 0 && c.write_deadline_ns_ <= now) {
      // Gunicorn's wording for a send that timed out.
      log::ErrorLog::get().debug("Ignored premature client disconnection. send: timed out");
      c.abort();
      continue;
    }
    if (c.deadline_ns_ == 0 || c.deadline_ns_ > now) continue;
    c.deadline_ns_ = 0;
    if (c.lingering_) {
      close(c);
    } else {
      c.protocol_->on_deadline();
      pump(c);
    }
  }
}

void Engine::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  now_ns_ = reactor_.now_ns();
  stop_deadline_ns_ = now_ns_ + limits_.graceful_ns;
  reactor_.pause_accepting();
  std::vector<Connection*> all;
  for (auto& c : open_) all.push_back(c.get());
  for (Connection* c : all)
    if (!c->closed_ && !c->lent_) c->protocol_->on_stop();
  if (open_.empty()) reactor_.stop();
}

void Engine::close_all(bool including_lent) {
  std::vector<Connection*> all;
  for (auto& c : open_) all.push_back(c.get());
  for (Connection* c : all)
    if (including_lent || !c->lent_) close(*c);
  collect();
}

}  // namespace gf::engine
