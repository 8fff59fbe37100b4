// What every worker type does with a request it will not serve: Gunicorn's log line and its
// error page, sent best-effort (the connection is closed afterwards either way).
#pragma once

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "log/access_log.hpp"
#include "util/stream.hpp"

namespace gf::workers {

// Logs "Invalid request from ip=...", then writes the error page; false if the client was gone.
bool reply_to_invalid_request(util::ByteSink& sink, const http::PeerInfo& peer,
                              const http::RequestError& error);

// USR1 in a worker: reopen the error log and the access log (which may be null: logging off).
void reopen_worker_logs(log::AccessLog* access_log);

}  // namespace gf::workers
