"""`make bench`'s scaling part (`--only scaling`): requests per second through the production
layout (scripts/prod.sh: nginx with TLS, gunicorn, PgBouncer) for 1, 2 and 4 gunicorn workers.

For each worker count the layout is started afresh on ports of its own (https://localhost:8643/,
its files in var/bench/prod/), on the benchmark database and the benchmark's Redis, the
anonymous page cache off (every request renders), serving `bench.wsgi` (the site with the two
baselines). Then wrk (`-t2 -c16`, over TLS, through nginx) asks each page for a few seconds in
ROUNDS interleaved rounds, and a page's rps is the median of its rounds. The table shows each
page's rps for each worker count and what 2 and 4 workers give over 1; docs/operations.md
turns it into a capacity plan.
"""

import contextlib
import os
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.http_load import wrk

ROOT = Path(__file__).resolve().parent.parent
WORKER_COUNTS = (1, 2, 4)
PAGES = ("hello world", "bare list", "category x city", "listing", "search: emergency electrician")
PORT = 8643
DIR = ROOT / "var" / "bench" / "prod"
LAYOUT_ENV = {
    "PROD_DIR": str(DIR),
    "PROD_PORT": str(PORT),
    "PROD_HTTP_PORT": "8280",
    "PROD_INTERNAL_PORT": "8301",
    "PROD_PGBOUNCER_PORT": "6436",
    "PROD_STRIPE_PORT": "8424",
    "PROD_WSGI": "bench.wsgi:application",
    "PROD_REPLICA": "off",
    "PAGE_CACHE_SECONDS": "0",
}
WRK_CONNECTIONS = 16


@contextlib.contextmanager
def layout(workers: int, *, log_path: Path) -> Iterator[str]:
    """The production layout with `workers` gunicorn workers; yields its https base URL once
    /healthz answers through nginx, and stops it all however the block ends."""
    env = {
        **os.environ,
        **LAYOUT_ENV,
        "PROD_WEB_WORKERS": str(workers),
        "PROD_REDIS_URL": os.environ["REDIS_URL"],
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["scripts/prod.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"https://localhost:{PORT}"
    try:
        _wait_for(base, process, log_path)
        yield base
    finally:
        subprocess.run(
            [
                str(ROOT / ".venv/bin/supervisorctl"),
                "-c",
                str(DIR / "supervisord.conf"),
                "shutdown",
            ],
            capture_output=True,
        )
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        _wait_until_closed(PORT, int(LAYOUT_ENV["PROD_INTERNAL_PORT"]))


def _wait_until_closed(*ports: int) -> None:
    """The next worker count's layout binds the same ports: wait for this one to let go."""
    from marketplace.testing import something_listens

    deadline = time.monotonic() + 60
    while any(something_listens(port) for port in ports):
        if time.monotonic() > deadline:
            raise RuntimeError(f"ports {ports} still in use a minute after the layout stopped")
        time.sleep(0.25)


def _wait_for(base: str, process: subprocess.Popen, log_path: Path) -> None:
    import ssl

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the layout stopped:\n{log_path.read_text()[-3000:]}")
        try:
            # The certificate is made by scripts/prod.sh as it starts, the first time.
            context = ssl.create_default_context(cafile=str(DIR / "tls" / "cert.pem"))
            with urllib.request.urlopen(f"{base}/healthz", timeout=5, context=context):
                return
        except OSError:  # no certificate yet, or nothing listening yet
            time.sleep(0.5)
    raise RuntimeError(f"the layout did not answer within 120 s (see {log_path})")


def run(urls: dict[str, list[str]], *, rounds: int, seconds: int, log_dir: Path) -> dict:
    """Each worker count in turn; prints the table and returns the figures."""
    pages = {page: urls[page] for page in PAGES if urls.get(page)}
    figures: dict[str, dict[str, float]] = {page: {} for page in pages}
    errors = dict.fromkeys(pages, 0)  # wrk's: statuses of 400 or more, and socket errors
    for workers in WORKER_COUNTS:
        print(f"Scaling: {workers} gunicorn worker(s) behind nginx...", flush=True)
        with layout(workers, log_path=log_dir / f"scaling-{workers}.log") as base:
            for paths in pages.values():  # unmeasured: connections, templates, the first SQL
                _wrk(base, paths, seconds=1)
            runs: dict[str, list[float]] = {page: [] for page in pages}
            for _ in range(rounds):
                for page, paths in pages.items():
                    measured = _wrk(base, paths, seconds=seconds)
                    runs[page].append(measured["rps"])
                    errors[page] += measured["errors"]
        for page, rps in runs.items():
            figures[page][str(workers)] = round(statistics.median(rps), 1)
    result = {
        "workers": list(WORKER_COUNTS),
        "threads": 2,
        "cpus": os.cpu_count(),
        "wrk": f"-t2 -c{WRK_CONNECTIONS} -d{seconds}s over TLS, {rounds} rounds",
        "rps": figures,
        "errors": errors,
    }
    print(table(result))
    return result


def _wrk(base: str, paths: list[str], *, seconds: int) -> dict:
    result = wrk(None, paths, seconds=seconds, base=base, connections=WRK_CONNECTIONS)
    kinds = ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    return {"rps": result["rps"], "errors": sum(result[kind] for kind in kinds)}


def table(result: dict) -> str:
    counts = [str(n) for n in result["workers"]]
    header = "".join(f"{n + ' w rps':>11}" for n in counts)
    gains = "".join(f"{'x' + n:>7}" for n in counts[1:])
    lines = [
        f"Through nginx (TLS) and PgBouncer, {result['cpus']} CPUs, gthread x "
        f"{result['threads']} threads, wrk {result['wrk']}",
        f"{'page':<32}{header}{gains}  errors",
        "-" * (32 + 11 * len(counts) + 7 * (len(counts) - 1) + 8),
    ]
    for page, by_count in result["rps"].items():
        one = by_count[counts[0]] or 1e-9
        row = "".join(f"{by_count[n]:>11.1f}" for n in counts)
        row += "".join(f"{by_count[n] / one:>7.2f}" for n in counts[1:])
        lines.append(f"{page:<32}{row}  {result['errors'][page]}")
    return "\n".join(lines)
