#!/usr/bin/python3
"""Summarise bench/run's raw wrk outputs (<server>.<mode>.<round>.txt) as a Markdown table.

Usage: summarize.py RAW_DIR SERVER [SERVER...]   (the first server is the ratio baseline)
"""

import re
import statistics
import sys
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse(text):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    rss = re.search(r"^rss_kib (\d+)", text, re.M)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p99_ms": float(p99.group(1)) * UNITS_MS[p99.group(2)] if p99 else float("nan"),
        "errors": (sum(int(x) for x in sock.groups()) if sock else 0)
                  + (int(non2xx.group(1)) if non2xx else 0),
        "rss_mib": int(rss.group(1)) / 1024 if rss else float("nan"),
        "ok": bool(rps),
    }


def main():
    raw, servers = Path(sys.argv[1]), sys.argv[2:]
    rows, baseline = [], {}
    for mode in ("keepalive", "close"):
        for server in servers:
            runs = [parse(p.read_text()) for p in sorted(raw.glob(f"{server}.{mode}.*.txt"))]
            if not runs:
                continue
            row = {
                "server": server, "mode": mode, "rounds": len(runs),
                "rps": statistics.median(r["rps"] for r in runs),
                "p99": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "rss": statistics.median(r["rss_mib"] for r in runs),
                "failed": sum(not r["ok"] for r in runs),
            }
            if server == servers[0]:
                baseline[mode] = row["rps"]
            rows.append(row)

    print("| server | mode | requests/s (median) | p99 latency ms (median) | "
          "socket errors + non-2xx (total) | RSS MiB (median) | req/s vs %s |" % servers[0])
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        base = baseline.get(row["mode"]) or 0
        ratio = "%.2fx" % (row["rps"] / base) if base else "n/a"
        note = " (%d runs failed)" % row["failed"] if row["failed"] else ""
        print("| %s | %s | %.0f%s | %.2f | %d | %.1f | %s |" % (
            row["server"], row["mode"], row["rps"], note, row["p99"], row["errors"], row["rss"],
            ratio))
    print()
    print("rounds per cell: %s; raw wrk output: %s" % (
        ",".join(sorted({str(r["rounds"]) for r in rows})) or "0", raw))


if __name__ == "__main__":
    main()
