"""Shared helpers for the benchmark scripts: run a worker per database, time things."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def database_url(engine: str, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:////tmp/{name}.sqlite3"
    return f"{PG_BASE}/{name}"


def prepare_database(engine: str, name: str) -> None:
    """An empty database: a fresh SQLite file, or a dropped and re-created PostgreSQL db."""
    if engine == "sqlite":
        # With the write-ahead log, a stale -wal file left beside a new database would be
        # replayed into it: remove all three.
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
    }


def manage(url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=bench_env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seeded_database(engine: str, name: str, *, items: int, updates: int, seed: int = 1) -> str:
    """An empty database of that name, migrated and filled by seed_synthetic; its URL."""
    url = database_url(engine, name)
    prepare_database(engine, name)
    manage(url, "migrate", "--no-input")
    manage(url, "seed_synthetic", "--documents", str(max(1, items // 200)), "--items", str(items),
           "--updates", str(updates), "--seed", str(seed))  # fmt: skip
    return url


def run_worker(script: str, *args: str) -> dict:
    """Run `script --worker ARGS` in a fresh process; its last output line is JSON."""
    out = subprocess.run([sys.executable, script, "--worker", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def setup_django(url: str) -> None:
    os.environ.update(bench_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · {platform.platform()}"
