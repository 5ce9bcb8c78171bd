"""The HTTP part of `make bench` (`--only http`): the pages served by gunicorn, driven by wrk.

gunicorn serves `bench.wsgi` (production settings: DEBUG off, static files through whitenoise's
manifest, the site's URLs with the two baselines) with WORKERS processes on 127.0.0.1 and a
port the OS picks, on the benchmark database and the benchmark's Redis. Then, in ROUNDS
interleaved rounds (every page once a round, in turn, so that whatever else the machine does
slows every page alike), `wrk -t2 -c8 -d<seconds>s` asks each page for a few seconds, rotating
over that page's URLs (bench/wrk_paths.lua; the URL lists of the in-process benchmark). A page's
requests per second and its p50 and p99 latency are the medians of its rounds.

Twice: uncached (PAGE_CACHE_SECONDS=0), each page's rps over the bare list's (issue 14's goal 1:
the category x city, near-me, provider profile and listing pages at least 75% of it, every
search at least 50%); then with the anonymous page cache on (PAGE_CACHE_SECONDS=60), each
page's rps over the hello-world view's (goal 4: the catalogue pages at least 50% of it).
"""

import contextlib
import http.client
import json
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_paths.lua"
WORKERS = 3
# wrk's threads and open connections: 8 connections keep 3 workers busy without a long queue.
WRK_THREADS = 2
WRK_CONNECTIONS = 8
WARMUP_SECONDS = 1
# Issue 14's goals over HTTP (rps as a share of a baseline's rps).
GOAL_LIST_SHARE = 0.75
GOAL_LIST_PAGES = ("category x city", "near-me", "provider profile", "listing")
GOAL_SEARCH_SHARE = 0.5
GOAL_HELLO_SHARE_CACHED = 0.5
CATALOGUE_PAGES = ("home", "category", "category x city", "listing", "provider profile")
BASELINES = ("hello world", "bare list")


@contextlib.contextmanager
def gunicorn_server(
    env: Mapping[str, str],
    *,
    log_path: Path,
    workers: int = WORKERS,
    worker_class: str = "gthread",
    threads: int = 2,
) -> Iterator[int]:
    """Serve `bench.wsgi` with gunicorn in a subprocess (production settings: `env` and this
    process's environment, which holds the benchmark's DATABASE_URL and REDIS_URL); yields its
    port once /healthz answers, and stops it however the block ends, Ctrl-C included."""
    from marketplace.testing import served_from_socket

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        raise SystemExit("No static manifest: run `make static` (collectstatic) first.")

    def command(fd: int) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "bench.wsgi:application"),
            *("--bind", f"fd://{fd}", "--workers", str(workers)),
            # gunicorn turns a sync worker with more than one thread into gthread.
            *("--worker-class", worker_class),
            *(("--threads", str(threads)) if worker_class == "gthread" else ()),
            # Access logging would be measured with the pages; errors still go to the log.
            *("--error-logfile", "-", "--log-level", "warning"),
        ]

    env = {"DJANGO_SETTINGS_MODULE": "marketplace.settings", "DJANGO_DEBUG": "0", **env}
    with served_from_socket(
        command, env=env, log_path=log_path, name="gunicorn", start_timeout=60
    ) as port:
        yield port


def fetch(port: int, path: str, *, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on the server; (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wrk(
    port: int | None,
    paths: list[str],
    *,
    seconds: int,
    base: str | None = None,
    connections: int = WRK_CONNECTIONS,
) -> dict:
    """One wrk run over these paths, on 127.0.0.1:`port` or at `base` (a URL such as
    https://localhost:8643); its JSON line (bench/wrk_paths.lua) plus rps."""
    base = base or f"http://127.0.0.1:{port}"
    command = [
        *("wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s"),
        *("--timeout", "10s", "-s", str(WRK_SCRIPT), f"{base}{paths[0]}"),
        *("--", *paths),
    ]
    completed = subprocess.run(command, capture_output=True, text=True)
    output = completed.stdout
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({' '.join(command)}):\n{output}{completed.stderr}")
    line = next((row for row in output.splitlines() if row.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def measure(port: int, urls: dict[str, list[str]], *, rounds: int, seconds: int) -> dict[str, dict]:
    """Every page in `rounds` interleaved rounds of `seconds` each; per page the medians."""
    statuses: dict[str, dict[str, int]] = {}
    for page, paths in urls.items():
        counts: dict[str, int] = {}
        for path in paths:
            status = str(fetch(port, path)[0])
            counts[status] = counts.get(status, 0) + 1
        statuses[page] = counts
    # Unmeasured: each worker's first requests (connections, compiled templates, the cache).
    for paths in urls.values():
        wrk(port, paths, seconds=WARMUP_SECONDS)
    runs: dict[str, list[dict]] = {page: [] for page in urls}
    for number in range(rounds):
        print(f"  round {number + 1}/{rounds}", flush=True)
        for page, paths in urls.items():
            runs[page].append(wrk(port, paths, seconds=seconds))
    pages = {}
    for page, page_runs in runs.items():
        errors = sum(
            run[kind]
            for run in page_runs
            for kind in ("connect_errors", "read_errors", "write_errors", "timeouts")
        )
        pages[page] = {
            "urls": urls[page],
            "rps": round(statistics.median(run["rps"] for run in page_runs), 1),
            "rps_by_round": [round(run["rps"], 1) for run in page_runs],
            "p50_ms": round(statistics.median(run["p50_us"] for run in page_runs) / 1000, 2),
            "p99_ms": round(statistics.median(run["p99_us"] for run in page_runs) / 1000, 2),
            "requests": sum(run["requests"] for run in page_runs),
            # wrk counts a status of 400 or more as an error; the first GET of each URL's status.
            "status_errors": sum(run["status_errors"] for run in page_runs),
            "socket_errors": errors,
            "statuses": statuses[page],
        }
    return pages


def goal(page: str, share_of_list: float, share_of_hello: float, *, cached: bool) -> str:
    """'met', 'MISS', or '' where issue 14 sets no goal for this page in this mode."""
    if cached:
        if page not in CATALOGUE_PAGES:
            return ""
        return "met" if share_of_hello >= GOAL_HELLO_SHARE_CACHED else "MISS"
    if page in GOAL_LIST_PAGES:
        return "met" if share_of_list >= GOAL_LIST_SHARE else "MISS"
    if page.startswith("search"):
        return "met" if share_of_list >= GOAL_SEARCH_SHARE else "MISS"
    return ""


def table(pages: dict[str, dict], *, cached: bool) -> str:
    hello = pages["hello world"]["rps"] or 1e-9
    bare = pages["bare list"]["rps"] or 1e-9
    lines = [
        f"{'page':<36}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'x list':>8}{'x hello':>9}  goal  "
        "errors",
        "-" * 96,
    ]
    for name, page in pages.items():
        share_list, share_hello = page["rps"] / bare, page["rps"] / hello
        met = goal(name, share_list, share_hello, cached=cached)
        bad_statuses = {code: n for code, n in page["statuses"].items() if code != "200"}
        errors = page["status_errors"] + page["socket_errors"]
        notes = f"{errors}" + (f" (first GETs: {bad_statuses})" if bad_statuses else "")
        lines.append(
            f"{name:<36}{page['rps']:>9.1f}{page['p50_ms']:>9.2f}{page['p99_ms']:>9.2f}"
            f"{share_list:>8.2f}{share_hello:>9.3f}  {met:<4}  {notes}"
        )
    if cached:
        lines.append(
            f"goal (cached): the catalogue pages ({', '.join(CATALOGUE_PAGES)}) at least "
            f"{GOAL_HELLO_SHARE_CACHED:.0%} of hello world's rps"
        )
    else:
        lines.append(
            f"goal (uncached): {', '.join(GOAL_LIST_PAGES)} at least {GOAL_LIST_SHARE:.0%} of "
            f"the bare list's rps; every search at least {GOAL_SEARCH_SHARE:.0%}"
        )
    return "\n".join(lines)


def run(
    urls: dict[str, list[str]],
    *,
    rounds: int,
    seconds: int,
    worker_class: str,
    threads: int,
    log_dir: Path,
) -> dict:
    """Both modes, uncached then cached; prints their tables and returns the results."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run `scripts/provision.sh bench` (make bench does).")
    results: dict = {
        "server": f"gunicorn, {WORKERS} {worker_class} workers"
        + (f" x {threads} threads" if worker_class == "gthread" else ""),
        "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{seconds}s",
        "rounds": rounds,
        "seconds": seconds,
    }
    for mode, cache_seconds in (("uncached", "0"), ("cached", "60")):
        print(
            f"\nHTTP, {mode} (PAGE_CACHE_SECONDS={cache_seconds}): {results['server']}, "
            f"wrk {results['wrk']}, {len(urls)} pages, {rounds} interleaved rounds",
            flush=True,
        )
        env = {"PAGE_CACHE_SECONDS": cache_seconds}
        log_path = log_dir / f"http-gunicorn-{mode}.log"
        with gunicorn_server(
            env, log_path=log_path, worker_class=worker_class, threads=threads
        ) as port:
            pages = measure(port, urls, rounds=rounds, seconds=seconds)
        results[mode] = pages
        print(table(pages, cached=mode == "cached"))
    return results
