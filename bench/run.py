"""Benchmark the public pages against a large catalogue: `make bench` (or `python bench/run.py`).

1. Creates the benchmark database if it is missing (`nearhand_bench` for 100,000 services,
   `nearhand_bench_<N>` for any other size), migrates it, and seeds it once with the demo data
   at the scale that reaches the requested number of services. Later runs reuse it.
2. Measures, in this process, through Django's test client (the whole middleware stack, no
   network): the category x city page, search, near-me, a listing page and a hello-world view.
   For each: p50 and p95 latency over many requests after a warm-up, the SQL time and number of
   queries per request, and p50 divided by the hello-world p50.
3. Runs EXPLAIN (ANALYZE) on the SQL the near-me and search pages really ran, and shows the
   lines that prove the GiST index on listings_service.point and the GIN index
   service_search_vector_gin are used.
4. Chat (bench/chat.py): one daphne process serves the site on the benchmark database; N
   websocket clients in one conversation and in N/2 separate ones (N = 2 and 50): p50 and p95
   from send to receipt by every client, and messages per second.
5. Writes the results to var/bench/results-<services>.json; when both the 100,000 and the
   1,000,000 results exist, prints near-me p50 at 1M divided by at 100k.

Options: --services N (default 100000, or BENCH_SERVICES), --requests N (200), --warmup N (20),
--only pages|chat (one part; both by default).
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench"
DEFAULT_SERVICES = 100_000
LARGE_SERVICES = 1_000_000
# The demo seed writes about 14 services a provider, 200 providers a scale step.
SERVICES_PER_SCALE = 2_800
DEFAULT_URL = "postgis://nearhand:nearhand@127.0.0.1:5432/nearhand"
EXTENSIONS = ("postgis", "btree_gist", "pg_trgm")

SEARCHES = (
    "emergency electrician",
    "end of lease clean",
    "blocked drains",
    "emergancy electrician bondi",
    "kitchen renovation",
    "plumber",
)
NEAR_ME_SUBURBS = ("Bondi", "Parramatta", "Fremantle", "Frankston", "Glenelg", "Southport")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--services",
        type=int,
        default=int(os.environ.get("BENCH_SERVICES") or DEFAULT_SERVICES),
        help="How many services the benchmark database holds (default 100000).",
    )
    parser.add_argument("--requests", type=int, default=200, help="Measured requests a page.")
    parser.add_argument("--warmup", type=int, default=20, help="Unmeasured requests first.")
    parser.add_argument(
        "--only", choices=("pages", "chat"), help="Measure only the pages or only the chat."
    )
    return parser.parse_args()


# --- The database ---------------------------------------------------------------------------


def database_name(services: int) -> str:
    return "nearhand_bench" if services == DEFAULT_SERVICES else f"nearhand_bench_{services}"


def database_ensure(name: str) -> str:
    """Create the benchmark database when missing; returns its DATABASE_URL."""
    import psycopg

    base = urlsplit(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    params = {
        "host": base.hostname or "127.0.0.1",
        "port": base.port or 5432,
        "user": unquote(base.username or "nearhand"),
        "password": unquote(base.password or ""),
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating the database {name} (from template1, which has the extensions)")
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(dbname=name, autocommit=True, **params) as database:
        installed = {
            row[0] for row in database.execute("SELECT extname FROM pg_extension").fetchall()
        }
        for extension in EXTENSIONS:
            if extension in installed:
                continue
            try:
                database.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            except psycopg.Error as error:
                sys.exit(
                    f"The database {name} lacks the {extension} extension and this role cannot "
                    f"add it ({error}). Run scripts/provision.sh database (it adds the "
                    "extensions to template1), then drop and re-run."
                )
    return urlunsplit(base._replace(path=f"/{name}"))


def seed(target: int) -> dict:
    """Seed until the database holds `target` services; returns what it did."""
    from django.core.management import call_command
    from django.db import connection

    from listings.models import Service

    call_command("migrate", verbosity=0, interactive=False)
    count = Service.objects.count()
    if count >= target:
        print(f"Reusing {count:,} services already seeded.")
        return {"seeded_now": False, "services": count, "seconds": 0.0}
    started = time.perf_counter()
    scale = max(1, math.ceil(target / SERVICES_PER_SCALE))
    while True:
        print(f"Seeding demo data at scale {scale} (aiming for {target:,} services)...")
        # Through the command (nothing imports the demo app); it prints counts and timings.
        call_command("seed_demo", scale=scale)
        count = Service.objects.count()
        if count >= target:
            break
        scale += max(1, math.ceil((target - count) / SERVICES_PER_SCALE))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    print(f"Seeded {count:,} services in {seconds:.0f} s.")
    return {"seeded_now": True, "services": count, "seconds": round(seconds, 1)}


# --- Measuring ------------------------------------------------------------------------------


class SqlTimer:
    """An execute wrapper: how long this request spent in the database, and how many queries."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(client, urls: list[str], *, requests: int, warmup: int) -> dict:
    from django.db import connection

    for number in range(warmup):
        client.get(urls[number % len(urls)])
    latencies, sql, queries = [], [], []
    by_url: dict[str, list[float]] = {url: [] for url in urls}
    statuses: Counter = Counter()
    for number in range(requests):
        url = urls[number % len(urls)]
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url)
            latencies.append(time.perf_counter() - started)
        by_url[url].append(latencies[-1])
        statuses[response.status_code] += 1
        sql.append(timer.seconds)
        queries.append(timer.queries)
    return {
        "urls": urls,
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "sql_ms": round(statistics.mean(sql) * 1000, 2),
        "queries": round(statistics.mean(queries), 1),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "p50_ms_by_url": {
            url: round(percentile(times, 0.5) * 1000, 2) for url, times in by_url.items() if times
        },
    }


def page_urls() -> dict[str, list[str]]:
    """A handful of realistic URLs per page, taken from the seeded data."""
    from django.db.models import Count

    from listings.selectors import service_public
    from places.models import Suburb

    public = service_public().order_by()
    busiest = list(
        public.values("subcategory__category__slug", "city__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")[:3]
    )
    category_city = [
        f"/{row['subcategory__category__slug']}/{row['city__slug']}/" for row in busiest
    ]
    sub = (
        public.values("subcategory__slug", "city__slug").annotate(n=Count("pk")).order_by("-n")[:1]
    )
    category_city += [f"/{row['subcategory__slug']}/{row['city__slug']}/" for row in sub]

    suburbs = {
        suburb.name: suburb
        for suburb in Suburb.objects.filter(name__in=NEAR_ME_SUBURBS).order_by("-population")
    }
    near_me = [
        "/search/?" + urlencode({"lat": f"{s.point.y:.5f}", "lng": f"{s.point.x:.5f}"})
        for name in NEAR_ME_SUBURBS
        if (s := suburbs.get(name))
    ]

    total = public.count()
    step = max(1, total // 50)
    listing = []
    for offset in range(0, min(total, 50 * step), step):
        pk, slug = public.order_by("pk").values_list("pk", "slug")[offset]
        listing.append(f"/services/{pk}-{slug}/")
    return {
        "hello world": ["/bench-hello/"],
        "category x city": category_city,
        "search": ["/search/?" + urlencode({"q": q}) for q in SEARCHES],
        "near-me": near_me,
        "listing": listing,
    }


# --- EXPLAIN --------------------------------------------------------------------------------


def explain(client, url: str, *, markers: tuple[str, ...], index: str) -> dict:
    """Run EXPLAIN (ANALYZE) on the first query of `url` that contains every marker."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    candidates = [
        query["sql"]
        for query in captured.captured_queries
        if all(marker in query["sql"] for marker in markers)
    ]
    if not candidates:
        return {"url": url, "found": False, "index": index, "uses_index": False, "plan": []}
    sql = candidates[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    return {
        "url": url,
        "found": True,
        "index": index,
        "uses_index": any(index in line for line in plan),
        "plan": plan,
    }


def gist_point_index() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'listings_service' "
            "AND indexdef ILIKE '%USING gist (point)%'"
        )
        row = cursor.fetchone()
    return row[0] if row else "(no GiST index on listings_service.point)"


# --- Reporting ------------------------------------------------------------------------------


def table(pages: dict[str, dict]) -> str:
    hello = pages["hello world"]["p50_ms"] or 1e-9
    lines = [
        f"{'page':<17}{'p50 ms':>9}{'p95 ms':>9}{'SQL ms':>9}{'queries':>9}{'x hello':>9}  "
        "statuses",
        "-" * 80,
    ]
    for name, page in pages.items():
        statuses = ", ".join(f"{code}: {n}" for code, n in page["statuses"].items())
        lines.append(
            f"{name:<17}{page['p50_ms']:>9.2f}{page['p95_ms']:>9.2f}{page['sql_ms']:>9.2f}"
            f"{page['queries']:>9}{page['p50_ms'] / hello:>9.1f}  {statuses}"
        )
    return "\n".join(lines)


def evidence(result: dict, title: str) -> str:
    if not result["found"]:
        return f"{title}: no matching query captured on {result['url']}"
    verdict = "uses" if result["uses_index"] else "DOES NOT use"
    keep = [
        line
        for line in result["plan"]
        if any(word in line for word in ("Scan", "Index Cond", "Order By", "Execution Time"))
    ]
    return "\n".join(
        [
            f"{title}: {result['url']} {verdict} {result['index']}",
            *(f"    {line.strip()}" for line in keep),
        ]
    )


def main() -> None:
    args = parse_args()
    name = database_name(args.services)
    os.environ["DATABASE_URL"] = database_ensure(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("MEDIA_ROOT", str(RESULTS / "media"))
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    if settings.DEBUG:
        sys.exit("Run the benchmark without DJANGO_DEBUG=1: debug mode records every query.")
    settings.ROOT_URLCONF = "bench.urls"

    print(f"Benchmark database: {name}")
    seeding = seed(args.services)

    from listings.models import Service
    from listings.selectors import service_public

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"results-{args.services}.json"
    # A run of one part keeps the other part's last figures.
    results = json.loads(path.read_text()) if path.exists() else {}
    results |= {
        "services": Service.objects.count(),
        "public_services": service_public().count(),
        "database": name,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "seeding": seeding,
    }
    if args.only != "chat":
        results |= pages_part(args, cache, Client())
    if args.only != "pages":
        from bench import chat

        results["chat"] = chat.run(RESULTS)
        print()
        print(f"Chat through one daphne, {os.cpu_count()} CPUs, {chat.ROUNDS} messages each")
        print(chat.table(results["chat"]))
        print(chat.scaling(results["chat"]))
    path.write_text(json.dumps(results, indent=2))
    print(f"Results written to {path.relative_to(ROOT)}")


def pages_part(args: argparse.Namespace, cache, client) -> dict:
    """Measure the pages and explain two of their queries; prints the table, returns results."""
    from listings.models import Service
    from listings.selectors import service_public

    urls = page_urls()
    cache.clear()
    pages = {}
    for page, page_list in urls.items():
        if not page_list:
            print(f"{page}: no URL to measure (missing data)")
            continue
        print(f"Measuring {page} ({args.requests} requests after {args.warmup} warm-up)...")
        pages[page] = measure(client, page_list, requests=args.requests, warmup=args.warmup)

    near = explain(
        client, urls["near-me"][0], markers=("<->", "listings_service"), index=gist_point_index()
    )
    search = explain(
        client,
        urls["search"][0],
        markers=("@@", "listings_service"),
        index="service_search_vector_gin",
    )
    print()
    print(
        f"{Service.objects.count():,} services ({service_public().count():,} public), "
        f"{os.cpu_count()} CPUs, in-process test client, {args.requests} requests a page"
    )
    print(table(pages))
    print()
    for page, measured in pages.items():
        url, p50 = max(measured["p50_ms_by_url"].items(), key=lambda item: item[1])
        if len(measured["p50_ms_by_url"]) > 1:
            print(f"Slowest {page} URL: {url} (p50 {p50:.2f} ms)")
    print()
    print(evidence(near, "Near-me"))
    print(evidence(search, "Search"))
    small, large = RESULTS / "results-100000.json", RESULTS / "results-1000000.json"
    if small.exists() and large.exists():
        at_small = json.loads(small.read_text())["pages"]["near-me"]["p50_ms"]
        at_large = json.loads(large.read_text())["pages"]["near-me"]["p50_ms"]
        print(
            f"\nNear-me p50: {at_large:.2f} ms at 1,000,000 / {at_small:.2f} ms at 100,000 = "
            f"{at_large / at_small:.2f}"
        )
    else:
        print(f"\n(Run with --services {LARGE_SERVICES} to compare near-me at 1,000,000.)")
    return {
        "requests": args.requests,
        "warmup": args.warmup,
        "pages": pages,
        "explain": {"near-me": near, "search": search},
    }


if __name__ == "__main__":
    main()
