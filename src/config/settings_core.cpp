// Settings of the Config File, Server Socket, Worker Processes and Security sections.
#include "config/env_defaults.hpp"
#include "config/settings_sections.hpp"

namespace gf::config::table {

void add_core_settings(std::vector<SettingSpec>& out) {
  out.push_back({
      .name = "config",
      .section = kConfigFile,
      .flags = {"-c", "--config"},
      .metavar = "CONFIG",
      .type = ValueType::kString,
      .default_value = str("./gunicorn.conf.py"),
      .help = "The Gunicorn config file.",
      .doc = "A string of the form `PATH`, `file:PATH` or `python:MODULE_NAME`. Only has an "
             "effect on the command line (or in GUNICORN_CMD_ARGS when the command line has "
             "none). By default `gunicorn.conf.py` in the current directory is read if it "
             "exists; greenfork looks for `greenfork.conf.py` first, and in the `--chdir` "
             "directory before the start-up directory. The file runs as Python in the master; "
             "every module-level name that is a setting is applied, other names are ignored. "
             "Precedence: defaults < config file < GUNICORN_CMD_ARGS < command line.",
  });
  out.push_back({
      .name = "wsgi_app",
      .section = kConfigFile,
      .metavar = "STRING",
      .type = ValueType::kOptionalString,
      .help = "A WSGI application path in pattern $(MODULE_NAME):$(VARIABLE_NAME).",
      .doc = "The application to serve when no APP_MODULE is given on the command line. Same "
             "forms as APP_MODULE: `module`, `module:name`, `module:factory(args)`.",
  });
  out.push_back({
      .name = "bind",
      .section = kServerSocket,
      .flags = {"-b", "--bind"},
      .metavar = "ADDRESS",
      .type = ValueType::kStringList,
      .dynamic_default = env_defaults::bind,
      .default_doc = "['127.0.0.1:8000'], or ['0.0.0.0:$PORT'] when PORT is set",
      .help = "The socket to bind.",
      .doc = "A string of the form `HOST`, `HOST:PORT`, `[IPV6]:PORT`, `unix:PATH`, "
             "`unix://PATH`, `fd://FD` or `tcp://HOST:PORT`. Repeat the flag to listen on "
             "several addresses. When the PORT environment variable is set the default is "
             "`0.0.0.0:$PORT`.",
  });
  out.push_back({
      .name = "backlog",
      .section = kServerSocket,
      .flags = {"--backlog"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(2048),
      .help = "The maximum number of pending connections.",
      .doc = "The listen() backlog: how many clients may wait to be accepted. Generally set "
             "in the 64-2048 range.",
  });
  out.push_back({
      .name = "workers",
      .section = kWorkerProcesses,
      .flags = {"-w", "--workers"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .dynamic_default = env_defaults::workers,
      .default_doc = "1, or $WEB_CONCURRENCY when set",
      .help = "The number of worker processes for handling requests.",
      .doc = "Generally 2-4 x the number of cores. Defaults to the WEB_CONCURRENCY environment "
             "variable, which some platforms set, else 1.",
  });
  out.push_back({
      .name = "worker_class",
      .section = kWorkerProcesses,
      .flags = {"-k", "--worker-class"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("sync"),
      .choices = {"sync", "gthread", "gevent", "gevent_wsgi", "gevent_pywsgi", "eventlet",
                  "tornado", "asgi"},
      .accepts_python_path = true,
      .help = "The type of workers to use.",
      .doc = "`sync` handles one request at a time per worker. Other Gunicorn classes are "
             "`gthread`, `gevent`, `gevent_wsgi`, `gevent_pywsgi`, `tornado` and `asgi`, or a "
             "dotted Python path / `egg:dist#name` (Gunicorn's class paths, such as "
             "`gunicorn.workers.gthread.ThreadWorker`, name the same types). `sync` with "
             "`threads` > 1 runs `gthread`. greenfork implements `sync` and `gthread`; another "
             "class is reported at start-up and runs `sync` (the worker table: "
             "src/workers/worker_table.cpp).",
  });
  out.push_back({
      .name = "threads",
      .section = kWorkerProcesses,
      .flags = {"--threads"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(1),
      .help = "The number of worker threads for handling requests.",
      .doc = "Threads per worker for the gthread worker. A sync worker with more than one "
             "thread is switched to gthread.",
  });
  out.push_back({
      .name = "worker_connections",
      .section = kWorkerProcesses,
      .flags = {"--worker-connections"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(1000),
      .help = "The maximum number of simultaneous clients.",
      .doc = "Only affects the gthread, eventlet and gevent worker types.",
  });
  out.push_back({
      .name = "max_requests",
      .section = kWorkerProcesses,
      .flags = {"--max-requests"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(0),
      .help = "The maximum number of requests a worker will process before restarting.",
      .doc = "A simple guard against memory leaks; 0 disables automatic worker restarts.",
  });
  out.push_back({
      .name = "max_requests_jitter",
      .section = kWorkerProcesses,
      .flags = {"--max-requests-jitter"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(0),
      .help = "The maximum jitter to add to the max_requests setting.",
      .doc = "Each worker restarts after max_requests + randint(0, max_requests_jitter) "
             "requests, so workers do not all restart at once.",
  });
  out.push_back({
      .name = "timeout",
      .section = kWorkerProcesses,
      .flags = {"-t", "--timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(30),
      .help = "Workers silent for more than this many seconds are killed and restarted.",
      .doc = "The master aborts (SIGABRT, then SIGKILL) a worker whose heartbeat is older than "
             "this. 0 disables the timeout.",
  });
  out.push_back({
      .name = "graceful_timeout",
      .section = kWorkerProcesses,
      .flags = {"--graceful-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(30),
      .help = "Timeout for graceful workers restart.",
      .doc = "Seconds workers get to finish their requests after TERM or HUP before they are "
             "killed.",
  });
  out.push_back({
      .name = "keepalive",
      .section = kWorkerProcesses,
      .flags = {"--keep-alive"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(2),
      .help = "The number of seconds to wait for requests on a Keep-Alive connection.",
      .doc = "0 disables keep-alive. The sync worker never keeps connections alive.",
  });
  // greenfork's own: the gthread worker's event loop enforces them (docs/differences.md).
  out.push_back({
      .name = "header_timeout",
      .section = kWorkerProcesses,
      .flags = {"--header-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(10),
      .help = "Seconds a client gets to send a complete request head.",
      .doc = "gthread and asgi workers: counted from the connection's accept, or from the first "
             "byte of a "
             "later request on a keep-alive connection. A connection that has not completed its "
             "request head by then is closed (no response: the request never started). "
             "0 disables it. greenfork only.",
  });
  out.push_back({
      .name = "body_timeout",
      .section = kWorkerProcesses,
      .flags = {"--body-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(30),
      .help = "Seconds a request body may stall before the connection is dropped.",
      .doc = "gthread and asgi workers: the longest wait for the next bytes of a request body, "
             "while the "
             "worker receives it before calling the application and while the application reads "
             "`wsgi.input` (which then raises an error). 0 waits forever. greenfork only.",
  });
  out.push_back({
      .name = "write_timeout",
      .section = kWorkerProcesses,
      .flags = {"--write-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(30),
      .help = "Seconds a client may stop reading the response before the connection is dropped.",
      .doc =
          "gthread and asgi workers: the longest wait for a client to accept more response bytes. "
          "0 waits forever. greenfork only.",
  });
  out.push_back({
      .name = "asgi_loop",
      .section = kWorkerProcesses,
      .flags = {"--asgi-loop"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("auto"),
      .choices = {"auto", "asyncio", "uvloop"},
      .help = "Event loop implementation for ASGI workers.",
      .doc = "`auto` uses uvloop when it can be imported, else asyncio.",
  });
  out.push_back({
      .name = "asgi_lifespan",
      .section = kWorkerProcesses,
      .flags = {"--asgi-lifespan"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("auto"),
      .choices = {"auto", "on", "off"},
      .help = "ASGI lifespan protocol handling.",
      .doc = "`auto` detects support, `on` requires it (a startup failure stops the worker "
             "from serving), `off` disables it.",
  });
  out.push_back({
      .name = "asgi_disconnect_grace_period",
      .section = kWorkerProcesses,
      .flags = {"--asgi-disconnect-grace-period"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(3),
      .help = "Grace period (seconds) for ASGI apps to handle client disconnect.",
      .doc = "How long an ASGI app task may keep running after the client went away before it "
             "is cancelled; 0 cancels at once.",
  });
  out.push_back({
      .name = "websocket_ping_interval",
      .section = kWorkerProcesses,
      .flags = {"--websocket-ping-interval"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(20),
      .help = "Seconds between the server's pings on an open WebSocket.",
      .doc = "asgi worker: a ping goes to each WebSocket client this often, to find peers that "
             "went away without closing (and keep idle connections alive through proxies). 0 "
             "sends none. uvicorn's `--ws-ping-interval`. greenfork only.",
  });
  out.push_back({
      .name = "websocket_ping_timeout",
      .section = kWorkerProcesses,
      .flags = {"--websocket-ping-timeout"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(20),
      .help = "Seconds a WebSocket client has to answer a ping.",
      .doc = "asgi worker: a client that does not answer a ping within this time is disconnected "
             "(close code 1011; the app hears `websocket.disconnect`). 0 waits forever. "
             "uvicorn's `--ws-ping-timeout`. greenfork only.",
  });
  out.push_back({
      .name = "websocket_per_message_deflate",
      .section = kWorkerProcesses,
      .flags = {"--no-websocket-per-message-deflate"},
      .type = ValueType::kBool,
      .action = CliAction::kStoreFalse,
      .default_value = true,
      .help = "Do not offer WebSocket clients permessage-deflate compression.",
      .doc = "asgi worker: by default a client that offers permessage-deflate (RFC 7692; "
             "browsers do) gets compressed messages, at about 64 KiB of zlib state per "
             "connection (a 4 KiB window for what the server sends, the client's 32 KiB one for "
             "what it receives). uvicorn's `--ws-per-message-deflate`. greenfork only.",
  });
  out.push_back({
      .name = "websocket_max_message_size",
      .section = kSecurity,
      .flags = {"--websocket-max-message-size"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(16 * 1024 * 1024),
      .min_value = 1,
      .help = "Largest WebSocket message (bytes, all fragments) a client may send.",
      .doc = "asgi worker: a larger message closes the connection with code 1009 before any of "
             "it reaches the app. uvicorn's `--ws-max-size`. greenfork only.",
  });
  out.push_back({
      .name = "http_parser",
      .section = kWorkerProcesses,
      .flags = {"--http-parser"},
      .metavar = "STRING",
      .type = ValueType::kChoice,
      .default_value = str("auto"),
      .choices = {"auto", "fast", "python"},
      .help = "HTTP/1.x parser implementation.",
      .doc = "Accepted for compatibility: greenfork always uses its one native parser, which "
             "follows the behaviour of Gunicorn's Python parser.",
  });
  out.push_back({
      .name = "limit_request_line",
      .section = kSecurity,
      .flags = {"--limit-request-line"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(4094),
      .help = "The maximum size of HTTP request line in bytes.",
      .doc = "Bytes of the request line (method, URI, version) excluding CRLF. 0 means "
             "unlimited; values of 8190 or more are clamped to 8190.",
  });
  out.push_back({
      .name = "limit_request_fields",
      .section = kSecurity,
      .flags = {"--limit-request-fields"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(100),
      .help = "Limit the number of HTTP headers fields in a request.",
      .doc = "Values of 0 or above 32768 mean 32768.",
  });
  out.push_back({
      .name = "limit_request_field_size",
      .section = kSecurity,
      .flags = {"--limit-request-field_size"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(8190),
      .help = "Limit the allowed size of an HTTP request header field.",
      .doc = "Bytes per header line including CRLF and folded continuation lines. 0 means "
             "8190 (not unlimited, whatever Gunicorn's docs say). The flag is spelled with an "
             "underscore, as in Gunicorn.",
  });
  out.push_back({
      .name = "limit_request_body",
      .section = kSecurity,
      .flags = {"--limit-request-body"},
      .metavar = "INT",
      .type = ValueType::kPositiveInt,
      .default_value = num(0),
      .help = "Limit the size of a request body in bytes (0: unlimited).",
      .doc = "Every worker type. A request whose Content-Length is larger gets `413 Request "
             "Entity Too Large` before the app runs; a chunked body that grows past the limit "
             "gets the 413 if no response has started (otherwise the connection closes), and "
             "the app's read of it fails (WSGI: an `IOError`; ASGI: `http.disconnect`). "
             "greenfork only (Gunicorn and uvicorn have no such limit).",
  });
}

}  // namespace gf::config::table
