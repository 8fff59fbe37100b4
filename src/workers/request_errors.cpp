#include "workers/request_errors.hpp"

#include "http/response_writer.hpp"
#include "log/error_log.hpp"

namespace gf::workers {

bool reply_to_invalid_request(util::ByteSink& sink, const http::PeerInfo& peer,
                              const http::RequestError& error) {
  log::ErrorLog::get().warning("Invalid request from ip={}: {}", peer.addr, error.what());
  try {
    sink.write_bytes(http::ResponseWriter::error_page(error));  // Gunicorn's handle_error wording
    return true;
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    return false;
  }
}

void reopen_worker_logs(log::AccessLog* access_log) {
  log::ErrorLog::get().reopen();
  if (access_log != nullptr) access_log->reopen();
}

}  // namespace gf::workers
