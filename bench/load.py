"""Throughput under load: gunicorn with the production settings on 127.0.0.1, wrk on the same
machine, bounded in time. The dashboard and a filtered list against a trivial view
(/healthz) on the same server.

    .venv/bin/python bench/load.py [--engine sqlite|postgres] [--items 100000] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from common import ROOT, bench_env, machine, manage, seeded_database

PORT = 8123
PATHS = {
    "trivial view (/healthz)": "/healthz",
    "dashboard": "/",
    "list ?country=TM&theme=agriculture": "/items/?country=TM&theme=agriculture",
}


def wrk(url: str, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
    ):
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    return {"rps": rps, "errors": errors, "p50": p50, "p99": p99}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    name = f"bench_load_{args.items}"
    url = seeded_database(args.engine, name, items=args.items, updates=args.items * 3)
    manage(url, "collectstatic", "--no-input")
    env = {**bench_env(url), "CONN_MAX_AGE": "60"}
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(f"# machine: {machine()}")
        print(
            f"## {args.engine}, {args.items:,} items, gunicorn {args.workers} workers, wrk 2 threads × 16 connections, {args.seconds} s each"
        )
        print("| path | requests/s | errors | p50 | p99 |\n|---|---:|---:|---:|---:|")
        results = {}
        for label, path in PATHS.items():
            urllib.request.urlopen(
                f"http://127.0.0.1:{PORT}{path}", timeout=30
            ).read()  # fill the cache
            results[label] = r = wrk(f"http://127.0.0.1:{PORT}{path}", args.seconds)
            print(f"| {label} | {r['rps']:,.0f} | {r['errors']} | {r['p50']} | {r['p99']} |")
        base = results["trivial view (/healthz)"]["rps"]
        print(f"dashboard / trivial view: {results['dashboard']['rps'] / base:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
