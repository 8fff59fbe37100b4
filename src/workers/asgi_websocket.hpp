// One ASGI WebSocket on an HTTP/1 connection of the asgi worker: the handshake checked, the
// app's Task started with a websocket scope, then either the upgrade (101, and the connection
// handed to a WsSession) or the HTTP answer that refuses it (403, 500, or the app's own
// websocket.http.response). Sits between the bridge's channel (python::WsEndpoint) and the
// session (WsHandler). Loop thread, GIL held.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "http/http1_response.hpp"
#include "http/http1_session.hpp"
#include "http/websocket/ws_session.hpp"
#include "log/access_log.hpp"
#include "python/asgi/asgi_runtime.hpp"
#include "python/asgi/ws_link.hpp"
#include "python/wsgi/wsgi_environ.hpp"

namespace gf::workers {

class AsgiWebSocket final : public python::WsEndpoint, public http::websocket::WsHandler {
 public:
  AsgiWebSocket(http::Http1Session& http, const http::websocket::WsSettings& settings,
                log::AccessLog* access_log);
  ~AsgiWebSocket() override;

  // For http.head(), a WebSocket handshake: answers an invalid one at once (400/426), else
  // starts the app (answering 500 when it cannot start).
  void start(python::AsgiRuntime& runtime, PyObject* model);

  // Before the upgrade: the client ended its input (it left).
  void client_left();
  // The connection is going away: the app hears it, its link goes dead.
  void release();

 private:
  // python::WsEndpoint
  void ws_accept(std::string_view subprotocol, std::vector<http::HeaderField> headers) override;
  void ws_reject(int status) override;
  http::ResponseSink& ws_denial() override;
  void ws_send(bool text, std::string_view data) override;
  void ws_close(int code, std::string_view reason) override;
  bool ws_congested() override;
  void ws_pause_input(bool pause) override;
  void ws_finished() override;

  // http::websocket::WsHandler
  void on_message(bool text, std::string&& data) override;
  void on_session_end(int code, std::string_view reason) override;
  void on_writable() override;

  http::Http1Response& response();
  void log_access();

  http::Http1Session& http_;
  const http::websocket::WsSettings& settings_;
  log::AccessLog* access_log_;
  std::unique_ptr<http::websocket::WsSession> session_;
  std::optional<http::Http1Response> response_;  // a refusal, before any upgrade
  python::PyRef channel_;
  python::PyRef link_;
  python::PyRef task_;
  python::EnvironSummary summary_;
  std::chrono::system_clock::time_point wall_start_;
  std::chrono::steady_clock::time_point start_;
  bool logged_ = false;
};

}  // namespace gf::workers
