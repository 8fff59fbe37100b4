#!/usr/bin/python3
"""Summarise a bench/run raw directory as one Markdown table (plus the commands and set-up).

Usage: summarize.py RAW_DIR

RAW_DIR holds meta.json and one file per measurement, <app>.<server>.w<N>.<mode>.r<round>.txt:
wrk's --latency output (WebSocket apps: ws_load's "key value" lines) followed by
`bench_<key> <json>` lines (CPU ticks, RSS) from harness.py. WSGI, ASGI and WebSocket echo rows
are separate tables: the WSGI rows' ratios are to greenfork-gthread, the ASGI and WebSocket rows'
to greenfork-asgi, with the same app, worker count and mode.
"""

import json
import math
import re
import statistics
import sys
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
# interface: (title, baseline server, its short name in the column headers)
TABLES = {
    "wsgi": ("WSGI", "greenfork-gthread", "gf-gthread"),
    "asgi": ("ASGI", "greenfork-asgi", "gf-asgi"),
    "ws": ("WebSocket echo", "greenfork-asgi", "gf-asgi"),
}
ASGI_SERVERS = {"greenfork-asgi", "uvicorn", "hypercorn"}   # for meta.json without "interface"


def latency(text, pct):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
    return float(m.group(1)) * UNITS_MS[m.group(2)] if m else math.nan


def parse(text):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    reqs = re.search(r"^\s*(\d+) requests in", text, re.M)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    extra = {m.group(1): json.loads(m.group(2))
             for m in re.finditer(r"^bench_(\w+) (.*)$", text, re.M)}
    requests = int(reqs.group(1)) if reqs else 0
    cpu_s = extra.get("cpu_s", 0) or 0
    return {
        "ok": bool(rps),
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency(text, 50),
        "p99": latency(text, 99),
        "errors": (sum(int(x) for x in sock.groups()) if sock else 0)
                  + (int(non2xx.group(1)) if non2xx else 0),
        "req_per_cpu_s": requests / cpu_s if cpu_s else math.nan,
        "rss_total": extra.get("rss_total_kib", math.nan) / 1024,
        "rss_worker": extra.get("rss_worker_max_kib", math.nan) / 1024,
        "pids_changed": bool(extra.get("pids_changed")),
    }


def ws_value(text, key):
    m = re.search(r"^%s (\S+)$" % key, text, re.M)
    return float(m.group(1)) if m else math.nan


def parse_ws(text):
    """ws_load's summary; a run is ok when ws_load exited 0 (at least one connection and one
    echoed message). Failed runs count in `failed` and `errors`, not in the medians."""
    extra = {m.group(1): json.loads(m.group(2))
             for m in re.finditer(r"^bench_(\w+) (.*)$", text, re.M)}
    mps = ws_value(text, "messages_per_s")
    ok = extra.get("exit_status") == 0 and not math.isnan(mps)
    messages = ws_value(text, "messages")
    errors = ws_value(text, "errors")
    cpu_s = extra.get("cpu_s", 0) or 0
    return {
        "ok": ok,
        # ws_load's error lines without their connection numbers, each once, in order
        "reasons": list(dict.fromkeys(
            re.sub(r"^connection \d+: ", "", l[len("ws_load: error: "):])
            for l in text.splitlines()
            if l.startswith("ws_load: error: ") and "further errors" not in l)),
        "exit_status": extra.get("exit_status"),
        "rps": mps if ok else math.nan,
        "p50": ws_value(text, "latency_p50_ms") if ok else math.nan,
        "p99": ws_value(text, "latency_p99_ms") if ok else math.nan,
        "errors": int(errors) if not math.isnan(errors) else 0,
        "req_per_cpu_s": messages / cpu_s if ok and cpu_s else math.nan,
        "rss_total": extra.get("rss_total_kib", math.nan) / 1024,
        "rss_worker": extra.get("rss_worker_max_kib", math.nan) / 1024,
        "pids_changed": bool(extra.get("pids_changed")),
    }


def median(values):
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def fmt(v, spec):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else spec % v


def ratio(v, base):
    if base is None or math.isnan(v) or not base or math.isnan(base):
        return "n/a"
    return "%.2fx" % (v / base)


def main():
    raw = Path(sys.argv[1])
    meta = json.loads((raw / "meta.json").read_text())
    rows = []
    for app in meta["apps"]:
        for workers in meta["workers"]:
            for mode in meta["modes"]:
                for cfg in meta["configs"]:
                    if cfg["app"] != app or cfg["workers"] != workers:
                        continue
                    files = sorted(raw.glob("%s.%s.r*.txt" % (cfg["key"], mode)))
                    same_as_close = False
                    if not files and mode == "keepalive" and cfg["closes_each_connection"]:
                        files = sorted(raw.glob("%s.close.r*.txt" % cfg["key"]))
                        same_as_close = True
                    if not files:
                        continue
                    ws = cfg.get("load") == "ws_load"
                    runs = [(parse_ws if ws else parse)(p.read_text()) for p in files]
                    rows.append({
                        "app": app, "workers": workers, "mode": mode, "server": cfg["server"],
                        "interface": "ws" if ws else cfg.get("interface") or (
                            "asgi" if cfg["server"] in ASGI_SERVERS else "wsgi"),
                        "reasons": list(dict.fromkeys(x for r in runs if not r["ok"]
                                                      for x in r.get("reasons", []))),
                        "same_as_close": same_as_close, "rounds": len(runs),
                        "failed": sum(not r["ok"] for r in runs),
                        "pids_changed": any(r["pids_changed"] for r in runs),
                        "errors": sum(r["errors"] for r in runs),
                        **{k: median(r[k] for r in runs) for k in
                           ("rps", "p50", "p99", "req_per_cpu_s", "rss_total", "rss_worker")},
                    })

    v = meta["versions"]
    interfaces = [i for i in TABLES if any(r["interface"] == i for r in rows)]
    print("# bench/run results")
    print()
    print("%s; %s CPUs, Linux %s. %d interleaved round(s) of %d s, %s; medians over "
          "the rounds (errors: total)." % (
              meta["date"], meta["host"]["cpus"], meta["host"]["kernel"], meta["rounds"],
              meta["duration"], " and ".join(
                  (["wrk -t1 -c%d" % meta["connections"]]
                   if interfaces != ["ws"] else [])
                  + (["ws_load -c%d -s%d (WebSocket echo, one message in flight per "
                      "connection)" % (meta["connections"], meta.get("ws_size", 32))]
                     if "ws" in interfaces else []))))
    parts = ["greenfork: %s" % v["greenfork"]]
    if "wsgi" in interfaces:
        parts += ["gunicorn: %s" % v["gunicorn"], "uWSGI: %s" % v["uwsgi"],
                  "nginx: %s" % v["nginx"], "Flask %s" % v["flask"]]
    if "asgi" in interfaces or "ws" in interfaces:
        parts += ["%s %s" % (label, v.get(key, "n/a")) for label, key in (
            ("uvicorn", "uvicorn"), ("Hypercorn", "hypercorn"), ("uvloop", "uvloop"),
            ("httptools", "httptools"), ("h11", "h11"), ("FastAPI", "fastapi"),
            ("Starlette", "starlette"), ("pydantic", "pydantic"))]
    if "ws" in interfaces:
        parts += ["websockets %s" % v.get("websockets", "n/a"),
                  "wsproto %s" % v.get("wsproto", "n/a")]
    parts += [v["python"], "wrk: %s" % v["wrk"]]
    print("; ".join(parts) + ".")
    pins = sorted({(c["workers"], c["cpus"]["wrk"], c["cpus"]["server"])
                   for c in meta["configs"] if c.get("cpus")})
    for workers, wrk_cpus, server_cpus in pins:
        print("With %d worker(s): %s pinned to CPU %s, the server's processes to CPU(s) %s "
              "(taskset)." % (workers, "wrk" if "ws" not in interfaces else "ws_load"
                              if interfaces == ["ws"] else "the load generator (wrk, ws_load)",
                              wrk_cpus, server_cpus))
    marks = set()
    for interface in interfaces:
        title, baseline, short = TABLES[interface]
        table = [r for r in rows if r["interface"] == interface]
        base = {(r["app"], r["workers"], r["mode"]): r for r in table if r["server"] == baseline}
        print()
        if interface == "ws":
            print("## %s (ratios to %s)" % (title, baseline))
            print()
            print("| app | workers | server | msg/s | msg/s vs %s | p50 ms | p99 ms | errors | "
                  "msg/CPU-s | msg/CPU-s vs %s | RSS total MiB | RSS/worker MiB |"
                  % (short, short))
            print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for r in table:
                b = base.get((r["app"], r["workers"], r["mode"]))
                server = r["server"]
                if r["pids_changed"]:
                    server += " !"
                    marks.add("!")
                mps = fmt(r["rps"], "%.0f")
                if r["failed"]:
                    mps = ("failed" if r["failed"] == r["rounds"] else mps) + (
                        " (%d/%d runs failed)" % (r["failed"], r["rounds"]))
                print("| %s | %d | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |" % (
                    r["app"], r["workers"], server, mps, ratio(r["rps"], b and b["rps"]),
                    fmt(r["p50"], "%.2f"), fmt(r["p99"], "%.2f"), r["errors"],
                    fmt(r["req_per_cpu_s"], "%.0f"),
                    ratio(r["req_per_cpu_s"], b and b["req_per_cpu_s"]),
                    fmt(r["rss_total"], "%.1f"), fmt(r["rss_worker"], "%.1f")))
            failed = [r for r in table if r["failed"]]
            if failed:
                print()
                for r in failed:
                    print("- %s, %s, %d worker(s): ws_load failed in %d of %d run(s): %s" % (
                        r["server"], r["app"], r["workers"], r["failed"], r["rounds"],
                        "; ".join(r["reasons"]) or "no reason given"))
            continue
        if len(interfaces) > 1 or interface == "asgi":
            print("## %s servers (ratios to %s)" % (title, baseline))
            print()
        print("| app | workers | mode | server | req/s | req/s vs %s | p50 ms | p99 ms | "
              "errors | req/CPU-s | req/CPU-s vs %s | RSS total MiB | RSS/worker MiB |"
              % (short, short))
        print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in table:
            b = base.get((r["app"], r["workers"], r["mode"]))
            mode = r["mode"]
            if r["same_as_close"]:
                mode += " *"
                marks.add("*")
            server = r["server"]
            if r["pids_changed"]:
                server += " !"
                marks.add("!")
            rps = fmt(r["rps"], "%.0f")
            if r["failed"]:
                rps += " (%d/%d runs failed)" % (r["failed"], r["rounds"])
            print("| %s | %d | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |" % (
                r["app"], r["workers"], mode, server, rps,
                ratio(r["rps"], b and b["rps"]),
                fmt(r["p50"], "%.2f"), fmt(r["p99"], "%.2f"), r["errors"],
                fmt(r["req_per_cpu_s"], "%.0f"),
                ratio(r["req_per_cpu_s"], b and b["req_per_cpu_s"]),
                fmt(r["rss_total"], "%.1f"), fmt(r["rss_worker"], "%.1f")))
    print()
    if "*" in marks:
        print("`*` the server closed the connection after the start-up probe's first response, so "
              "keep-alive cannot happen and wrk reconnects per request in both modes: the row "
              "repeats the `close` measurement (set BENCH_DEDUP=0 to measure it anyway).")
    if "!" in marks:
        print("`!` the set of server processes changed during at least one run (a worker died or "
              "was restarted); CPU time of reaped workers is still counted via the master's "
              "cutime/cstime.")
    if "wsgi" in interfaces:
        print("nginx (`return 200`, no Python) only runs with the hello app; Flask rows have no "
              "nginx row.")
    if "asgi" in interfaces or "ws" in interfaces:
        print("ASGI servers run only the ASGI apps (asgi-hello, fastapi%s), WSGI servers only the "
              "WSGI apps (hello, flask); ratios never cross the %stables. uvicorn and "
              "Hypercorn with 1 worker are one process (RSS total = RSS/worker); uvicorn's "
              "`--workers N` tree also holds multiprocessing's resource tracker, counted in "
              "RSS total and CPU." % ((", ws-echo", "") if "ws" in interfaces else ("", "two ")))
    if "ws" in interfaces:
        print("WebSocket echo: `ws_load` keeps one %d-byte binary message in flight on each of "
              "%d connections for %d s after the handshakes; msg/s = echoed messages per "
              "second, p50/p99 = round trip of one message, errors = connections that failed "
              "or ended early, msg/CPU-s = messages / CPU seconds of the server's processes "
              "during the whole ws_load run (handshakes and close included). A failed run "
              "(no handshake succeeded, or no message echoed) is left out of the medians."
              % (meta.get("ws_size", 32), meta["connections"], meta["duration"]))
    print()
    print("Commands, shown with %d worker(s) (the other counts change %s; PORT is a free port; "
          "$WORK is RAW_DIR/work; nginx.conf is in bench/README.md):" % (
              meta["workers"][0],
              " / ".join(["`-w`"] + (["`--processes`", "nginx's `worker_processes`"]
                                     if "wsgi" in interfaces else [])
                         + (["`--workers` (uvicorn: only for N > 1)"]
                            if "asgi" in interfaces else []))))
    print()
    seen = set()
    for cfg in meta["configs"]:
        if cfg["workers"] != meta["workers"][0]:
            continue
        if cfg["server"] + cfg["app"] in seen:
            continue
        seen.add(cfg["server"] + cfg["app"])
        print("- %s, %s: `%s`" % (cfg["server"], cfg["app"], cfg["cmd"]))
    if "ws" in interfaces:
        print("- load, WebSocket apps: `build/ws_load -c %d -d %d -s %d -T %d "
              "ws://127.0.0.1:PORT/echo` (pinned like wrk)" % (
                  meta["connections"], meta["duration"], meta.get("ws_size", 32),
                  meta.get("ws_handshake_timeout", 5)))
    print()
    print("Raw output: %s" % raw)


if __name__ == "__main__":
    main()
