// Defaults that depend on the environment or the process (PORT, WEB_CONCURRENCY, cwd, euid...),
// computed when a Config is created, exactly as Gunicorn computes them at import time.
#pragma once

#include "config/value.hpp"

namespace gf::config::env_defaults {

Value bind();                 // ["0.0.0.0:$PORT"] when PORT is set, else ["127.0.0.1:8000"]
Value workers();              // $WEB_CONCURRENCY (base 10) or 1
Value forwarded_allow_ips();  // $FORWARDED_ALLOW_IPS or "127.0.0.1,::1", as a validated list
Value virtualenv();           // $VIRTUAL_ENV or None
Value chdir();                // the cwd, spelled as $PWD when that names the same directory
Value user();                 // geteuid()
Value group();                // getegid()
Value control_socket();       // $XDG_RUNTIME_DIR/gunicorn.ctl, else ~/.gunicorn/gunicorn.ctl

}  // namespace gf::config::env_defaults
