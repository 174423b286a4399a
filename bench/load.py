"""Throughput under load: gunicorn with the production settings on 127.0.0.1, wrk on the same
machine, bounded in time. Cached public pages against a trivial view (/healthz) on the same
server.

    .venv/bin/python bench/load.py [--engine sqlite|postgres] [--items 100000] [--seconds 5]
        [--rounds 5] [--cache-url redis://127.0.0.1:6379/1] [--database-url URL]

The paths are measured in turn, round after round, and each round's ratio to /healthz is
taken in that round: on a shared machine the load from other work changes from minute to
minute, and a ratio of two runs minutes apart measures that more than the server.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

from common import ROOT, bench_env, machine, manage, seeded_database

PORT = 8123
TRIVIAL = "trivial view (/healthz)"
DASHBOARD = "dashboard"
PATHS = {
    TRIVIAL: "/healthz",
    DASHBOARD: "/ja/",
    "dashboard revalidated (If-None-Match, 304)": "/ja/",
    "dashboard, gzip (Accept-Encoding as browsers send it)": "/ja/",
    "list ?country=TM&theme=agriculture": "/ja/items/?country=TM&theme=agriculture",
}


def wrk(url: str, seconds: int, headers: dict[str, str]) -> dict:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *extra, url],
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
    parser.add_argument("--seconds", type=int, default=5, help="per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--cache-url", default="", help="CACHE_URL; default: per-process cache")
    parser.add_argument("--conn-max-age", default="", help="CONN_MAX_AGE; default: settings'")
    parser.add_argument(
        "--database-url", default="", help="a database seeded before (skips seeding)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    url = args.database_url or seeded_database(
        args.engine, f"bench_load_{args.items}", items=args.items, updates=args.items * 3
    )
    manage(url, "collectstatic", "--no-input")
    env = bench_env(url)
    for name, value in (("CACHE_URL", args.cache_url), ("CONN_MAX_AGE", args.conn_max_age)):
        env.pop(name, None)
        if value:
            env[name] = value
    if args.cache_url:
        # Nothing from an earlier run: every page is rendered once, then served from Redis.
        subprocess.run(["redis-cli", "-u", args.cache_url, "flushdb"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
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
        headers: dict[str, dict[str, str]] = {label: {} for label in PATHS}
        for label, path in PATHS.items():
            for _ in range(args.workers * 3):  # fill every worker's cache
                response = urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=60)
                response.read()
            if "If-None-Match" in label:
                headers[label] = {"If-None-Match": response.headers["ETag"]}
            if "gzip" in label:
                headers[label] = {"Accept-Encoding": "gzip, deflate, br"}
        cache = f"Redis ({args.cache_url})" if args.cache_url else "per-process cache"
        print(f"# machine: {machine()}")
        print(
            f"## {args.engine}, {args.items:,} items, {cache}, gunicorn {args.workers} workers, "
            f"wrk 2 threads × 16 connections, {args.rounds} rounds of {args.seconds} s per path"
        )
        runs: dict[str, list[dict]] = {label: [] for label in PATHS}
        for _ in range(args.rounds):
            for label, path in PATHS.items():
                result = wrk(f"http://127.0.0.1:{PORT}{path}", args.seconds, headers[label])
                runs[label].append(result)
        print(
            "| path | requests/s (median) | × /healthz (median of rounds) | errors | p50 | p99 |\n"
            "|---|---:|---:|---:|---:|---:|"
        )
        trivial = [run["rps"] for run in runs[TRIVIAL]]
        for label, results in runs.items():
            ratio = statistics.median(r["rps"] / t for r, t in zip(results, trivial, strict=True))
            middle = sorted(results, key=lambda r: r["rps"])[len(results) // 2]
            print(
                f"| {label} | {statistics.median(r['rps'] for r in results):,.0f} | {ratio:.2f} "
                f"| {sum(r['errors'] for r in results)} | {middle['p50']} | {middle['p99']} |"
            )
        ratios = [r["rps"] / t for r, t in zip(runs[DASHBOARD], trivial, strict=True)]
        print(
            f"dashboard / trivial view, per round: {', '.join(f'{x:.2f}' for x in ratios)}; "
            f"median {statistics.median(ratios):.2f}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
