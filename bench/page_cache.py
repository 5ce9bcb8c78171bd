"""A cached catalogue page against the hello-world view: `python bench/page_cache.py`.

Issue 14's goal: when cached, a catalogue page serves at least half the hello-world view's
requests per second. In this process, through Django's test client (the whole middleware
stack, no network), on the benchmark database `bench/run.py` seeded: each page is asked once
(stored) and then `--rounds` times, hello and the pages in turn (interleaved, so machine noise
slows them alike). Prints each page's p50 and its requests per second as a share of hello's.
`--no-local` measures the cache without its per-process tier (every hit reads Redis).

Run it with the benchmark's environment (docs/benchmarks.md), e.g.
`DJANGO_SECRET_KEY=bench-only DJANGO_ALLOWED_HOSTS=testserver REDIS_URL=redis://127.0.0.1:6379/12
python bench/page_cache.py`.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000, help="Measured rounds (1000).")
    parser.add_argument(
        "--no-local", action="store_true", help="Without the per-process tier: hits read Redis."
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.run import DEFAULT_SERVICES, database_ensure, database_name

    os.environ["DATABASE_URL"] = database_ensure(database_name(DEFAULT_SERVICES))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["PAGE_CACHE_SECONDS"] = "60"

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import ProviderProfile
    from listings.selectors import service_public
    from marketplace import page_cache

    if settings.DEBUG:
        sys.exit("Run the benchmark without DJANGO_DEBUG=1: debug mode records every query.")
    settings.ROOT_URLCONF = "bench.urls"
    if args.no_local:
        page_cache.LOCAL_GENERATION_SECONDS = 0
    service = service_public().select_related("subcategory__category", "city").order_by("pk")[0]
    provider = ProviderProfile.objects.filter(status="approved").order_by("pk")[0]
    urls = {
        "hello world": "/bench-hello/",
        "home": "/",
        "category x city": f"/{service.subcategory.category.slug}/{service.city.slug}/",
        "listing": service.get_absolute_url(),
        "provider profile": f"/pros/{provider.slug}/",
    }
    cache.clear()
    client = Client()
    for name, url in urls.items():
        client.get(url)
        response = client.get(url)
        if response.status_code != 200 or (
            name != "hello world" and "X-Page-Cache" not in response
        ):
            sys.exit(f"{url}: {response.status_code}, not served from the cache")
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.rounds):
        for name, url in urls.items():
            started = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - started)
    hello = statistics.median(times["hello world"])
    tier = "without" if args.no_local else "with"
    print(f"Anonymous page cache {tier} the per-process tier, {args.rounds} rounds, p50:")
    for name, samples in times.items():
        p50 = statistics.median(samples)
        share = hello / p50
        goal = "" if name == "hello world" else ("met" if share >= GOAL else "MISS")
        print(f"{name:<20}{p50 * 1000:8.3f} ms{1 / p50:8.0f} req/s{share:6.2f} x hello  {goal}")


if __name__ == "__main__":
    main()
